//! Any bytes as a callback body: `from_slice` must not panic, and a body it accepts must write
//! back as the same JSON. Run with `cargo fuzz run notifications` (see CONTRIBUTING.md, "Fuzzing").
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(batch) = msgraph_calls::notifications::from_slice(body) {
        let original: serde_json::Value =
            serde_json::from_slice(body).expect("accepted bodies are JSON");
        assert_eq!(
            serde_json::to_value(&batch).expect("a decoded body serializes"),
            original
        );
    }
});
