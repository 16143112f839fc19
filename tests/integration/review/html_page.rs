//! The HTML page: self-contained, a summary table, quotes linked to speakers, a list per
//! speaker, and it renders in headless Chromium.

use super::fixture_corpus;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use whosaid::formats::html::page;

fn fixture_page() -> String {
    page(&fixture_corpus().docs, "Gold fixtures")
}

#[test]
fn the_page_is_self_contained() {
    let html = fixture_page();
    for needle in ["http://", "https://", "<script", "<link", "@import", "<img", "<iframe", "url("] {
        assert!(!html.contains(needle), "the page must not fetch anything: found {needle}");
    }
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
}

#[test]
fn the_summary_table_has_a_row_per_document_and_the_totals() {
    let html = fixture_page();
    let table = &html[html.find("<table class=\"summary\">").unwrap()..html.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr><td><a href=\"#d").count(), 17);
    assert!(table.contains(
        "<tr><td>Total</td><td>202</td><td>186</td><td>83</td><td>62</td><td>0</td><td>131</td><td>128</td>"
    ));
    assert!(table.contains("<a href=\"#d6\">news/bbc_business_034</a>"));
}

#[test]
fn every_quote_links_to_its_speaker_mention_in_the_text() {
    let html = fixture_page();
    // 000, T9 said by John Adler (T7): the link after the quote points at the mention.
    assert!(html.contains("<span class=\"e PER spk\" id=\"d1-T7\" data-l=\"PER\" title=\"PER T7\">John Adler</span>"));
    assert!(html.contains("every time continues.”</span><a class=\"who\" href=\"#d1-T7\""));
    assert_eq!(html.matches("<a class=\"who\" href=\"#d").count(), 128);
    assert_eq!(html.matches("<span class=\"who\">no speaker</span>").count(), 3);
}

#[test]
fn each_speaker_lists_their_quotes_with_role_and_organisation() {
    let html = fixture_page();
    let article = &html[html.find("<article id=\"d1\">").unwrap()..html.find("<article id=\"d2\">").unwrap()];
    let adler = &article[article.find("<h4><a href=\"#d1-T7\">John Adler</a>").expect("John Adler's list")..];
    let adler = &adler[..adler.find("</section>").unwrap()];
    assert!(adler.contains("chief executive · University Hospitals of Leicester NHS Trust"), "{adler}");
    assert_eq!(adler.matches("<li><a href=\"#d1-T9\">").count(), 1);
}

/// A Chromium binary on PATH, if any.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Renders `page` to a PNG with headless Chromium (isolated profile, no network use).
fn screenshot(chromium: &Path, page: &Path, png: &Path, profile: &Path) {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1200,2000")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium exited with {status}");
            return;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The rendering test's full name, for its skip line and for the test of that line.
const RENDERING_TEST: &str = "review::html_page::the_fixture_page_renders_in_headless_chromium_to_a_non_blank_png";

#[test]
fn the_fixture_page_renders_in_headless_chromium_to_a_non_blank_png() {
    let Some(chromium) = chromium() else {
        crate::util::skipped(RENDERING_TEST, "no chromium on PATH (Debian: apt-get install -y chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("index.html");
    std::fs::write(&html, fixture_page()).unwrap();
    let png = dir.path().join("page.png");
    screenshot(&chromium, &html, &png, &dir.path().join("profile"));

    let decoder = png::Decoder::new(std::fs::File::open(&png).expect("chromium wrote the PNG"));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 2000));
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let first = pixels[0];
    let different = pixels.iter().filter(|p| p[..3] != first[..3]).count();
    let colours: std::collections::HashSet<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    assert!(different * 10 > pixels.len(), "only {different} of {} pixels differ from the background", pixels.len());
    assert!(colours.len() > 200, "only {} colours: not a rendered page", colours.len());
    // The entity colours are on the page (PER #a6c8ff, ORG #ffc870).
    for rgb in [[0xa6, 0xc8, 0xff], [0xff, 0xc8, 0x70]] {
        assert!(colours.contains(&rgb), "no pixel of {rgb:02x?}");
    }
    // Kept for a human look: target/tmp/review-page.png.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-page.png");
    let _ = std::fs::copy(&png, keep);
}

/// Without Chromium the rendering test passes, but says so in the log even though libtest
/// captures test output: it is run again here in a child test process, with no PATH and
/// output captured as in a plain `cargo test`.
#[test]
fn without_chromium_the_rendering_test_prints_skipped_in_a_captured_run() {
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args([RENDERING_TEST, "--exact"])
        .env_remove("PATH")
        .env_remove("RUST_TEST_NOCAPTURE")
        .output()
        .expect("the test binary runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && stdout.contains("1 passed"), "{stdout}{stderr}");
    let line = format!("SKIPPED: {RENDERING_TEST}: no chromium on PATH");
    assert!(stderr.lines().any(|l| l.starts_with(&line)), "no '{line}' in the child's stderr:\n{stderr}");
}
