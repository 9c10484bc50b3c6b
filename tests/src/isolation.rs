//! Running a test body in a child process.
//!
//! The plugin is built with nice-plug's `assert_process_allocs`: an allocation inside
//! `process()` aborts the whole process. Tests that drive the plugin therefore run their body in
//! a child (the same test executable, filtered to the one test), so an abort fails that test
//! with a clear message instead of killing the test runner.

use std::process::Command;

const CHILD_ENV: &str = "LACQUER_ISOLATED_TEST";

/// Runs `body` in a child process running only the test `name` (the test function's name).
/// In the child, runs `body` directly.
pub fn isolated(name: &str, body: impl FnOnce()) {
    if std::env::var(CHILD_ENV).as_deref() == Ok(name) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("test executable");
    let output = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .output()
        .expect("spawn isolated test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        #[cfg(unix)]
        let aborted = std::os::unix::process::ExitStatusExt::signal(&output.status) == Some(6);
        #[cfg(not(unix))]
        let aborted = false;
        let cause = if aborted {
            "aborted (SIGABRT): an allocation inside process() under assert_process_allocs, or a panic across FFI"
        } else {
            "failed"
        };
        panic!("isolated test '{name}' {cause}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    }
    assert!(
        stdout.contains("1 passed"),
        "isolated test '{name}' did not run (name must match the test function)\n{stdout}"
    );
}
