//! A stand-in for the web app's build (`LMS_WEB_DIR`): the tests that look
//! at what the binary serves for the app's routes must not depend on
//! whether `web/dist` was built before them.

/// The stand-in's `index.html`.
pub const INDEX: &str = "<!doctype html><title>Insite LMS</title><div id=root></div>";
/// The stand-in's one hashed script (`assets/index-Cx1y2Z.js`).
pub const SCRIPT: &str = "console.log('app');";

/// A fake build: index.html, one hashed script, a favicon. The folder
/// lives as long as the returned handle.
pub fn fake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("assets")).expect("assets");
    std::fs::write(dir.path().join("index.html"), INDEX).expect("index");
    std::fs::write(dir.path().join("assets/index-Cx1y2Z.js"), SCRIPT).expect("js");
    std::fs::write(dir.path().join("favicon.svg"), "<svg/>").expect("favicon");
    dir
}
