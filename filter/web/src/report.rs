//! The harness's incident view and exposure report: `wikiwatch-report` over the same lines, so
//! the file the browser downloads is the one `wikiwatch report` writes.

use wasm_bindgen::prelude::*;
use wikiwatch_core::decode::Decoder;
use wikiwatch_report::report::parse_time;
use wikiwatch_report::{Entity, ReportOptions, Reporter};

/// The report of `text` (whole lines, in `format`, `auto` when omitted) under `config_json`:
/// `{json, html}`, the JSON text and the self-contained HTML `wikiwatch report` writes for the
/// same input and arguments. `entity` (`user:NAME`, ...) asks for the exposure report; `from`
/// and `to` are RFC 3339 times; `include_allowed` keeps allow-listed entities in. Inputs are
/// read one after another, as `wikiwatch report FILE...` reads them.
#[wasm_bindgen]
pub fn report(
    inputs: Vec<String>,
    config_json: &str,
    format: Option<String>,
    entity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    include_allowed: bool,
) -> Result<JsValue, JsError> {
    let config = crate::parse_config(config_json)?;
    let format = crate::parse_format(format)?;
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let time = |flag: &str, s: Option<String>| {
        nonempty(s).map(|s| parse_time(&s).map_err(|e| JsError::new(&format!("{flag}: {e}"))))
    };
    let opts = ReportOptions {
        entity: nonempty(entity)
            .map(|e| Entity::parse(&e).map_err(|m| JsError::new(&format!("entity: {m}"))))
            .transpose()?,
        from: time("from", from).transpose()?,
        to: time("to", to).transpose()?,
        include_allowed,
    };
    let decode = config.decode.clone();
    let mut reporter = Reporter::new(config, opts).map_err(|e| JsError::new(&e))?;
    for text in &inputs {
        let mut decoder = Decoder::new(format, decode.clone());
        reporter.text(text.as_bytes(), &mut decoder);
    }
    let report = reporter.finish();
    let json = serde_json::to_string_pretty(&report).map_err(|e| JsError::new(&e.to_string()))?;
    let out = js_sys::Object::new();
    let set = |k: &str, v: String| js_sys::Reflect::set(&out, &k.into(), &v.into());
    set("json", json + "\n").map_err(|_| JsError::new("report: cannot build the result"))?;
    set("html", wikiwatch_report::html::to_html(&report))
        .map_err(|_| JsError::new("report: cannot build the result"))?;
    Ok(out.into())
}
