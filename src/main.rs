//! The `policylayer` binary: everything lives in the library; see `policylayer::cli`.

fn main() -> std::process::ExitCode {
    policylayer::cli::main()
}
