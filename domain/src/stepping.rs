//! The presenter's stepping through the agenda in meeting mode, as plain state so that every
//! order in which key presses, the server's answers and views of the meeting can arrive is
//! tested here rather than only in the browser.
//!
//! Each press moves the wanted position on at once (ten presses are ten steps, even before the
//! first answer); one request is in flight at a time and, when it is answered, the latest wanted
//! position is sent if the room is not there yet. A view of the meeting (refetched on every live
//! event) tells the screen where the room is, unless this screen's own step was answered after
//! the view was asked for: the server may have read it before that step, and an old position
//! taken for the room's would make the next press step from the wrong place (issue 17: three
//! quick → and three quick ← ended one case too far).

/// See the module comment. `String` is a case id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stepping {
    /// The case the room is on, as this screen last knew it.
    current: Option<String>,
    /// Where the presses want the room to be, ahead of the answers.
    wanted: Option<String>,
    /// Answers to this screen's requests so far: a view asked for before the latest answer may
    /// be older than it.
    answers: u64,
}

impl Stepping {
    /// The room's case as last known.
    pub fn current(&self) -> Option<&String> {
        self.current.as_ref()
    }

    /// Stamps a view being asked for now; hand the stamp back with the view to [`Stepping::view`].
    pub fn stamp(&self) -> u64 {
        self.answers
    }

    /// A view of the meeting asked for at `stamp` says the room is on `current`. Taken (true)
    /// unless an answer to this screen arrived since it was asked for; a later view, asked for
    /// on that answer's live event, tells the room's position then.
    pub fn view(&mut self, stamp: u64, current: Option<String>) -> bool {
        if stamp != self.answers {
            return false;
        }
        self.current = current;
        true
    }

    /// A press of `delta` (+1 next, −1 previous) through the discussed cases in `order`, from
    /// the wanted position or else the room's: the case now wanted, or None if the press does not
    /// move (at either end, or an empty agenda). From off the agenda a press goes to the first.
    pub fn press(&mut self, order: &[String], delta: i64) -> Option<String> {
        if order.is_empty() {
            return None;
        }
        let from = self.wanted.as_ref().or(self.current.as_ref());
        let at = from.and_then(|c| order.iter().position(|x| x == c));
        let next = match at {
            None => 0,
            Some(i) => (i as i64 + delta).clamp(0, order.len() as i64 - 1) as usize,
        };
        if at == Some(next) {
            return None;
        }
        self.want(order[next].clone());
        Some(order[next].clone())
    }

    /// A case chosen directly (a click on the agenda).
    pub fn want(&mut self, case_id: String) {
        self.wanted = Some(case_id);
    }

    /// What to send now that no request is in flight: the wanted position, unless the room is
    /// there already.
    pub fn next(&self) -> Option<String> {
        self.wanted.clone().filter(|w| Some(w) != self.current.as_ref())
    }

    /// The server answered a request of this screen (a step or a shown document): the room is on
    /// `current` now. Views asked for before this answer are older than it.
    pub fn answered(&mut self, current: Option<String>) {
        self.answers += 1;
        self.current = current;
        if self.wanted == self.current {
            self.wanted = None;
        }
    }

    /// A request was refused (someone else took control): stop chasing the wanted position.
    /// Nothing changed on the server, so views asked for before it are as good as before.
    pub fn refused(&mut self) {
        self.wanted = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn agenda() -> Vec<String> {
        (1..=5).map(|i| format!("case-{i}")).collect()
    }

    fn at(case: usize) -> Option<String> {
        Some(format!("case-{case}"))
    }

    #[test]
    fn a_view_asked_for_before_an_answer_does_not_move_the_position_back() {
        let order = agenda();
        let mut s = Stepping::default();
        assert!(s.view(s.stamp(), at(1)));
        let stamp = s.stamp(); // a live event asks for a view; the server reads it on case 1
        assert_eq!(s.press(&order, 1), at(2));
        s.answered(at(2));
        assert_eq!(s.next(), None, "the room is where the presses wanted it");
        assert!(!s.view(stamp, at(1)), "the view read before the step arrives after its answer");
        assert_eq!(s.current(), at(2).as_ref());
        assert_eq!(s.press(&order, -1), at(1), "the press steps from case 2, not from the old view's case 1");
        // The view asked for on the answer's live event is taken.
        let stamp = s.stamp();
        assert!(s.view(stamp, at(2)));
    }

    #[test]
    fn presses_run_ahead_of_the_answers_and_only_the_latest_wanted_position_is_sent() {
        let order = agenda();
        let mut s = Stepping { current: at(1), ..Default::default() };
        assert_eq!(s.press(&order, 1), at(2)); // sent
        assert_eq!(s.press(&order, 1), at(3));
        assert_eq!(s.press(&order, 1), at(4));
        s.answered(at(2));
        assert_eq!(s.next(), at(4), "case 3 is skipped: only the latest wanted position is sent");
        s.answered(at(4));
        assert_eq!(s.next(), None);
        assert_eq!(s.press(&order, 1), at(5));
        assert_eq!(s.press(&order, 1), None, "the last case is the end");
    }

    #[test]
    fn a_refusal_stops_chasing_and_keeps_views_good() {
        let order = agenda();
        let mut s = Stepping { current: at(3), ..Default::default() };
        let stamp = s.stamp();
        assert_eq!(s.press(&order, -1), at(2));
        s.refused();
        assert_eq!(s.next(), None);
        assert!(s.view(stamp, at(5)), "another presenter's position is taken");
        assert_eq!(s.press(&order, -1), at(4));
    }

    #[test]
    fn from_off_the_agenda_a_press_goes_to_the_first_case_and_an_empty_agenda_goes_nowhere() {
        let mut s = Stepping::default();
        assert_eq!(s.press(&[], 1), None);
        assert_eq!(s.press(&agenda(), -1), at(1));
    }

    /// One step of the browser, the network and the server, in some order.
    #[derive(Clone, Debug)]
    enum Event {
        Press(bool),
        /// The server applies the request in flight; its live event is on its way.
        Apply,
        /// A live event of an applied change reaches the browser, which asks for a view.
        Live,
        /// The answer to the applied request arrives.
        Answer,
        /// Something else asks for a view (a change to the shown case, say).
        AskView,
        /// The server reads the oldest view asked for and not yet read.
        ReadView,
        /// The oldest read view arrives.
        ArriveView,
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            3 => any::<bool>().prop_map(Event::Press),
            2 => Just(Event::Apply),
            2 => Just(Event::Live),
            2 => Just(Event::Answer),
            1 => Just(Event::AskView),
            2 => Just(Event::ReadView),
            2 => Just(Event::ArriveView),
        ]
    }

    proptest! {
        // Enough schedules that the one race found in CI (a view read before a step, arriving
        // after its answer and before the next live event) is among them: checked to fail in
        // each of twelve runs with views always taken.
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// Whatever the order of presses, answers and views, the room ends where the presses
        /// lead: each press one case on from the one before, within the agenda.
        #[test]
        fn the_room_ends_where_the_presses_lead(start in 0usize..5, events in proptest::collection::vec(event(), 0..60)) {
            let order = agenda();
            let mut room = order[start].clone(); // the server's position
            let mut s = Stepping::default();
            prop_assert!(s.view(s.stamp(), Some(room.clone())));
            let mut walk = start as i64;
            let mut in_flight: Option<(String, bool)> = None; // (case, applied)
            // Views asked for: (stamp, the position the server read, if read). The resource
            // keeps only the latest: an older view arriving after a newer was asked for is
            // dropped, as leptos's resources do.
            let mut views: Vec<(u64, Option<String>)> = Vec::new();
            fn send(s: &Stepping, in_flight: &mut Option<(String, bool)>) {
                if in_flight.is_none() {
                    *in_flight = s.next().map(|case| (case, false));
                }
            }
            let mut live = 0usize;
            let mut arrived = 0usize;
            let mut read = 0usize;
            for e in events {
                match e {
                    Event::Press(forward) => {
                        let delta = if forward { 1 } else { -1 };
                        walk = (walk + delta).clamp(0, 4);
                        if s.press(&order, delta).is_some() {
                            send(&s, &mut in_flight);
                        }
                    }
                    Event::Apply => {
                        if let Some((case, applied @ false)) = in_flight.as_mut() {
                            room = case.clone();
                            *applied = true;
                            live += 1;
                        }
                    }
                    Event::Answer => {
                        if let Some((_, true)) = in_flight {
                            in_flight = None;
                            s.answered(Some(room.clone()));
                            send(&s, &mut in_flight);
                        }
                    }
                    Event::Live if live > 0 => {
                        live -= 1;
                        views.push((s.stamp(), None));
                    }
                    Event::Live => {}
                    Event::AskView => {
                        views.push((s.stamp(), None));
                    }
                    Event::ReadView => {
                        if read < views.len() {
                            views[read].1 = Some(room.clone());
                            read += 1;
                        }
                    }
                    Event::ArriveView => {
                        if arrived < read {
                            let (stamp, seen) = views[arrived].clone();
                            arrived += 1;
                            if arrived == views.len() {
                                s.view(stamp, seen);
                            }
                        }
                    }
                }
            }
            // Drain: the request in flight and what it leads to are applied and answered.
            for _ in 0..10 {
                if let Some((case, _)) = in_flight.take() {
                    room = case;
                    s.answered(Some(room.clone()));
                    send(&s, &mut in_flight);
                }
            }
            prop_assert_eq!(in_flight, None);
            prop_assert_eq!(room, order[walk as usize].clone());
        }
    }
}
