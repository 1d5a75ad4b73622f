//! The `concord` binary: everything is in the library (`concord_cli::main`).

fn main() -> std::process::ExitCode {
    concord_cli::main()
}
