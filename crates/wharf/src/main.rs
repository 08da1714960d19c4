//! The `wharf` executable: parse arguments and hand over to the library.

fn main() -> std::process::ExitCode {
    wharf::main()
}
