//! Where an index's bytes go: tantivy's space usage, summed over segments,
//! per component (term dictionary, postings, positions, fast fields, field
//! norms, doc store) and per field, next to the raw text size.
//!
//! ```sh
//! cargo run --release --example space_usage -- INDEX [RAW_BYTES]
//! ```

use std::collections::BTreeMap;

use dateline::index::OpenIndex;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: space_usage INDEX [RAW_BYTES]")?;
    let raw: Option<f64> = args.next().map(|b| b.parse()).transpose()?;
    let index = OpenIndex::open(std::path::Path::new(&path))?;
    let searcher = index.snapshot()?;
    let usage = searcher.space_usage()?;
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    for segment in usage.segments() {
        let per_field = [
            ("termdict", segment.termdict()),
            ("postings", segment.postings()),
            ("positions", segment.positions()),
            ("fast_fields", segment.fast_fields()),
            ("fieldnorms", segment.fieldnorms()),
        ];
        for (component, fields) in per_field {
            for field_usage in fields.fields() {
                let name = field_usage.field_name();
                *rows.entry(format!("{component}\t{name}")).or_default() +=
                    field_usage.total().get_bytes();
            }
        }
        *rows.entry("store\t(all)".to_string()).or_default() += segment.store().total().get_bytes();
        *rows.entry("deletes\t(all)".to_string()).or_default() += segment.deletes().get_bytes();
    }
    let total = usage.total().get_bytes() as f64;
    println!("component\tfield\tbytes\tshare\tof raw");
    for (key, bytes) in &rows {
        let of_raw = raw.map_or(String::new(), |raw| format!("{:.3}", *bytes as f64 / raw));
        println!("{key}\t{bytes}\t{:.3}\t{of_raw}", *bytes as f64 / total);
    }
    let of_raw = raw.map_or(String::new(), |raw| format!("{:.3}", total / raw));
    println!("total\t\t{}\t1.000\t{of_raw}", total as u64);
    Ok(())
}
