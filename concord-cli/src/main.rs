//! The `concord` binary: everything is in the library (`concord_cli::main`).

/// mimalloc instead of glibc's malloc: a profile of the leader under a
/// put load spent about a fifth of its time in glibc's allocator (see
/// docs/BENCHMARKS.md), and glibc's per-thread arenas hold memory back.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    concord_cli::main()
}
