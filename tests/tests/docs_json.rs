//! Every ```json block of the README, docs/*.md and the examples' READMEs parses as JSON (one
//! document, or one per line where a block shows JSON lines), so that what a reader pastes
//! works. A block that wants comments is fenced `jsonc` instead.

use std::path::{Path, PathBuf};

/// The Markdown files readers copy from.
fn pages() -> Vec<PathBuf> {
    let root = wikiwatch_tests::root();
    let mut pages = vec![root.join("README.md")];
    pages.extend(markdown_in(&root.join("docs"), false));
    pages.extend(markdown_in(&root.join("examples"), true));
    pages
}

fn markdown_in(dir: &Path, deep: bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("dir entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && deep {
            found.extend(markdown_in(&path, deep));
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
    found
}

/// The ```json blocks of `text`: the line each starts on and its body.
fn json_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((at, line)) = lines.next() {
        if line.trim_start().strip_prefix("```").map(str::trim) != Some("json") {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.trim_start().starts_with("```"))
            .collect();
        blocks.push((at + 1, body.join("\n")));
    }
    blocks
}

/// A JSON document, or JSON lines (every non-empty line a document).
fn parses(body: &str) -> Result<(), String> {
    let whole = serde_json::from_str::<serde_json::Value>(body);
    let Err(e) = whole else { return Ok(()) };
    let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > 1 && lines.iter().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    {
        return Ok(());
    }
    Err(e.to_string())
}

#[test]
fn every_json_block_in_the_docs_parses() {
    let mut checked = 0;
    let mut bad = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("read page");
        for (line, body) in json_blocks(&text) {
            checked += 1;
            if let Err(e) = parses(&body) {
                bad.push(format!("{}:{line}: {e}", page.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "```json blocks that do not parse (fence them `jsonc`):\n{}",
        bad.join("\n")
    );
    assert!(checked >= 4, "only {checked} json blocks found: the page list is wrong");
}

#[test]
fn a_comment_in_a_json_block_is_caught() {
    let page = "text\n```json\n{\"a\": 1}  // one\n```\n```jsonc\n{\"a\": 1}  // one\n```\n";
    let blocks = json_blocks(page);
    assert_eq!(blocks.len(), 1, "only the json fence: {blocks:?}");
    assert_eq!(blocks[0].0, 2);
    assert!(parses(&blocks[0].1).is_err());
    assert!(parses("{\"a\": 1}\n{\"b\": 2}").is_ok(), "JSON lines");
}
