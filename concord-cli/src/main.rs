fn main() -> std::process::ExitCode {
    concord_cli::main()
}
