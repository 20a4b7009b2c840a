//! Finding and running a headless browser, for the browser tests of the HTML report.
//!
//! Without a browser the tests are skipped, except in CI (env CI set), where they fail:
//! `.ci/run` installs Debian's chromium.
#![allow(dead_code)]

pub mod cdp;
pub mod page;
pub mod timeline;

use std::path::{Path, PathBuf};
use std::process::Command;

pub const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

pub fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|p| p.is_file())
}

/// The browser to test with; `None` means skip (printed). Panics in CI without one.
pub fn browser_or_skip() -> Option<PathBuf> {
    let found = find_browser();
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("no browser on PATH (looked for {BROWSERS:?}); CI must have chromium: .ci/run installs it");
        }
        println!("skipped: no browser");
    }
    found
}

/// The flags every headless run here starts with: no GPU, no sandbox (CI containers),
/// and file:// pages allowed to read each other.
pub const HEADLESS: [&str; 6] = [
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--allow-file-access-from-files",
];

/// One headless run of `browser` with `args` (e.g. `--dump-dom URL`), timers given a
/// 10 s virtual budget.
pub fn chromium(browser: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(browser)
        .args(HEADLESS)
        .args([
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=1400,900")
        .args(args)
        .output()
        .expect("the browser runs")
}
