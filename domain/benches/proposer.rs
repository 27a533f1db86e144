//! Time per proposal: `cargo bench -p domain --bench proposer`. Target: under 50 µs per case on
//! the project's 2-core machine. Runs every public vignette many times and reports the mean
//! and the slowest case.

use std::time::Instant;

use domain::proposer::propose;
use domain::tumor::{Tumor, TumorInput};

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vignettes/public.json");
    let text = std::fs::read_to_string(&path).expect("domain/testdata/vignettes/public.json");
    let vignettes: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let tumors: Vec<(String, Tumor)> = vignettes
        .iter()
        .map(|v| {
            let input: TumorInput = serde_json::from_value(v["input"].clone()).unwrap();
            (v["id"].as_str().unwrap().to_string(), Tumor::parse(&input).unwrap())
        })
        .collect();
    // Warm-up.
    for (_, t) in &tumors {
        std::hint::black_box(propose(t));
    }
    let rounds = 20_000;
    let mut worst = (String::new(), 0.0f64);
    let started = Instant::now();
    for (id, t) in &tumors {
        let t0 = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(propose(std::hint::black_box(t)));
        }
        let per = t0.elapsed().as_secs_f64() / rounds as f64 * 1e6;
        if per > worst.1 {
            worst = (id.clone(), per);
        }
    }
    let total = started.elapsed().as_secs_f64();
    let n = (rounds * tumors.len()) as f64;
    println!("proposals: {n} ({} vignettes x {rounds})", tumors.len());
    println!("mean {:.2} µs per proposal; slowest vignette {} at {:.2} µs", total / n * 1e6, worst.0, worst.1);
    // Parsing the tumor fields as the REST endpoint does, for comparison.
    let inputs: Vec<TumorInput> =
        vignettes.iter().map(|v| serde_json::from_value(v["input"].clone()).unwrap()).collect();
    let t0 = Instant::now();
    for _ in 0..rounds {
        for i in &inputs {
            std::hint::black_box(propose(&Tumor::parse(std::hint::black_box(i)).unwrap()));
        }
    }
    println!("parse + propose: {:.2} µs per case", t0.elapsed().as_secs_f64() / n * 1e6);
}
