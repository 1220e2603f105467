//! `wikiwatch-componentize IN.wasm OUT.wasm`: wraps the core module built for
//! `wasm32-unknown-unknown` into a component, using the WIT embedded by `wit-bindgen`.
//! The result imports nothing (no WASI).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: wikiwatch-componentize IN.wasm OUT.wasm");
        return std::process::ExitCode::from(2);
    };
    let result = std::fs::read(input)
        .map_err(|e| format!("{input}: {e}"))
        .and_then(|module| {
            wit_component::ComponentEncoder::default()
                .module(&module)
                .and_then(|enc| enc.validate(true).encode())
                .map_err(|e| format!("{input}: cannot make a component: {e:#}"))
        })
        .and_then(|component| {
            std::fs::write(output, component).map_err(|e| format!("{output}: {e}"))
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wikiwatch-componentize: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
