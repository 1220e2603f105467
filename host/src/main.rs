//! The `wikiwatch` command.
mod simulate;

fn main() {
    let _ = simulate::generate(1, 1);
}
