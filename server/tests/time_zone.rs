//! The hospital's time zone (`TUMORBOARD_TIME_ZONE`): meeting times typed on its clock, a weekly
//! series keeping its hour through summer time, the pages' times read on it, and the figures'
//! days counted by it. Its own test binary: the pages' zone is one per process, as in a server.

mod common;

use common::*;
use serde_json::json;

/// An app state for a hospital in Berlin, its pages reading Berlin's clock.
async fn berlin() -> (app::ssr::AppState, TestDb) {
    let zone = app::ssr::zone::load("Europe/Berlin").expect("the system or bundled time zone database knows Berlin");
    app::components::format::set_zone(zone.clone());
    let db = TestDb::new();
    let mut state = state_for(&db).await;
    state.config.zone = std::sync::Arc::new(zone);
    (state, db)
}

fn starts(list: &serde_json::Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|m| m["starts_at"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn meetings_are_typed_and_read_on_the_hospitals_clock_and_a_weekly_board_keeps_its_hour() {
    let (state, _db) = berlin().await;
    add_user(&state, "cora", "coordinator", None).await;
    let cora = login(&state, "cora", PW).await;
    // 14:00 in Berlin three Thursdays running; the clocks go forward on 30 March 2031.
    let series = json!({"meeting": {"title": "NET board", "starts_at": "2031-03-20T14:00", "location": "Room 4.12"}, "weeks": 3});
    let res = send(&state, json_req("POST", "/api/v1/meetings/series", series, Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let made = body_json(res).await;
    assert_eq!(starts(&made), ["2031-03-20T13:00:00Z", "2031-03-27T13:00:00Z", "2031-04-03T12:00:00Z"]);
    // A time with its offset is that instant, whatever the hospital's clock.
    let exact = json!({"title": "Extra board", "starts_at": "2031-12-04T14:00:00+01:00", "location": "Room 1"});
    let res = send(&state, json_req("POST", "/api/v1/meetings", exact, Some(&cora))).await;
    assert_eq!(body_json(res).await["starts_at"], "2031-12-04T13:00:00Z");

    // An hour the clocks skip is refused on the start, naming the clock, and nothing is written.
    let before = body_json(send(&state, req("GET", "/api/v1/meetings", Some(&cora))).await).await;
    let skipped = json!({"meeting": {"title": "NET board", "starts_at": "2031-03-23T02:30", "location": "Room 4.12"}, "weeks": 2});
    let res = send(&state, json_req("POST", "/api/v1/meetings/series", skipped, Some(&cora))).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        body_json(res).await["error"]["fields"]["starts_at"][0],
        "2031-03-30 02:30 does not happen in Europe/Berlin: the clocks go forward over it. Choose another time."
    );
    assert_eq!(body_json(send(&state, req("GET", "/api/v1/meetings", Some(&cora))).await).await, before);

    // Moved by its page's form (a time typed on the hospital's clock): the same hour in summer.
    let first = made[0]["id"].as_str().unwrap();
    let res = send(
        &state,
        json_req("PATCH", &format!("/api/v1/meetings/{first}"), json!({"starts_at": "2031-06-05T14:00"}), Some(&cora)),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["meeting"]["starts_at"], "2031-06-05T12:00:00Z");

    // The pages read Berlin's clock, name it, and hand it to the browser for hydration.
    let page = body_text(send(&state, req("GET", "/meetings", Some(&cora))).await).await;
    for shown in ["2031-06-05 14:00 CEST", "2031-03-27 14:00 CET", "2031-04-03 14:00 CEST", "Starts (Europe/Berlin)"] {
        assert!(page.contains(shown), "{shown} not on the meetings page");
    }
    assert!(!page.contains(" UTC<") && !page.contains("(UTC)"), "no time on UTC's clock");
    let script =
        page.split(r#"<script type="application/json" id="tb-zone">"#).nth(1).expect("the zone for the browser");
    let zone: app::domain::zone::Zone = serde_json::from_str(script.split("</script>").next().unwrap()).unwrap();
    assert_eq!(
        (zone.name.as_str(), zone.show("2031-04-03T12:00:00Z").as_str()),
        ("Europe/Berlin", "2031-04-03 14:00 CEST")
    );
}

#[tokio::test]
async fn the_figures_count_a_meeting_on_the_day_it_was_held_in_the_hospital() {
    let (state, _db) = berlin().await;
    add_user(&state, "cora", "coordinator", None).await;
    let cora = login(&state, "cora", PW).await;
    // Half past midnight on 11 January in Berlin: still 10 January in UTC.
    let m = json!({"title": "Night board", "starts_at": "2026-01-10T23:30:00Z", "location": "Room 1"});
    assert_eq!(send(&state, json_req("POST", "/api/v1/meetings", m, Some(&cora))).await.status(), 201);
    let held = |day: &str| {
        let (state, cora) = (state.clone(), cora.clone());
        let path = format!("/api/v1/figures?from={day}&to={day}");
        async move { body_json(send(&state, req("GET", &path, Some(&cora))).await).await["meetings"].clone() }
    };
    assert_eq!(held("2026-01-11").await, 1);
    assert_eq!(held("2026-01-10").await, 0);
    // A meeting half an hour into today on the hospital's clock (yesterday in UTC) is still to
    // come: the list puts it first, before 2031's; the meetings held follow.
    let later = json!({"title": "Later board", "starts_at": "2031-01-09T14:00", "location": "Room 1"});
    assert_eq!(send(&state, json_req("POST", "/api/v1/meetings", later, Some(&cora))).await.status(), 201);
    let early = state.config.zone.day_start(state.today()) + chrono::TimeDelta::minutes(30);
    let m = json!({"title": "Early board", "starts_at": early.to_rfc3339(), "location": "Room 1"});
    assert_eq!(send(&state, json_req("POST", "/api/v1/meetings", m, Some(&cora))).await.status(), 201);
    let list = body_json(send(&state, req("GET", "/api/v1/meetings", Some(&cora))).await).await;
    let titles: Vec<&str> = list.as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Early board", "Later board", "Night board"]);
    // The CSV names it by that day too.
    let csv =
        body_text(send(&state, req("GET", "/api/v1/figures.csv?from=2026-01-11&to=2026-01-11", Some(&cora))).await)
            .await;
    assert!(csv.contains("cases_per_meeting.2026-01-11 Night board,0,"), "{csv}");
}
