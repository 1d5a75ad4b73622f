//! The `concord` binary: everything is in the library (`concord_cli::main`).

/// mimalloc instead of glibc's malloc: a profile of the leader under a
/// put load spent about a fifth of its time in glibc's allocator (see
/// docs/BENCHMARKS.md), and glibc's per-thread arenas hold memory back.
/// mimalloc 2 (the crate's `v2` feature), not 3: version 3 keeps freed
/// pages for a second before it returns them (`purge_delay` 1000 ms against
/// 10 ms), which kept the peak of a 1,000,000-key import above issue 13's
/// limit of 200 MB (figures in docs/BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    concord_cli::main()
}
