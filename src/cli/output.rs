//! Writing to stdout and stderr without panicking when the reader has gone away
//! (`otpsim schema | head`): the output is then simply cut short.

use std::io::Write;

/// Writes `text` to stdout. A closed pipe ends the process quietly, as `cat` does;
/// any other failure (a full disk) ends it with exit 2, so that a script never takes
/// a lost summary or JSON object for a success.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        errln(&format!("error: cannot write to standard output: {e}"));
        std::process::exit(super::input::EXIT_BAD_INPUT);
    }
}

/// Writes `text` to stderr, ignoring failures: there is nowhere left to report them.
pub fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `out` with a newline.
pub fn outln(text: &str) {
    out(&format!("{text}\n"));
}

/// `err` with a newline.
pub fn errln(text: &str) {
    err(&format!("{text}\n"));
}
