//! Where the build put things.

use std::path::PathBuf;

/// The directory of the running test executable: `target/<profile>/deps`.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().expect("deps directory").to_path_buf()
}

/// The plugin library cargo built for this test run (`target/<profile>/deps/liblacquer.so`).
///
/// Cargo builds the cdylib there because the tests depend on the plugin crate; it does not copy
/// it up a level, and a stale copy may sit in `target/<profile>/`, so that one is never used.
pub fn plugin_library() -> PathBuf {
    let path = deps_dir().join(format!(
        "{}lacquer{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(
        path.exists(),
        "plugin library not built at {} (run through `cargo test`)",
        path.display()
    );
    path
}

/// The workspace's target directory.
pub fn target_dir() -> PathBuf {
    deps_dir()
        .ancestors()
        .nth(2)
        .expect("target directory")
        .to_path_buf()
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}
