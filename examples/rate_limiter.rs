//! The OTP lesson's rate limiter exercise: a GenServer allowing `LIMIT` requests per
//! one-minute window, reset by a timer it sends itself every 60 s of virtual time
//! (issue #3).
//!
//! `check` answers `ok` while the window has room and `{error, rate_limited}` once it
//! is full. The limiter arms `send_after(60 s, self(), reset)` in `init` and again on
//! every `reset`, as the lesson's `schedule_reset/0` does, so windows end at 60, 120
//! and 180 s. A client sends 4 requests in the first minute, 8 in the second and 12 in
//! the third, spread evenly inside each minute; three virtual minutes take a few
//! milliseconds of real time.
//!
//! Run it with `cargo run --example rate_limiter`.

use otpsim::behaviour::gen_server::{self, CallResponse, From, GenServer, Init, Response};
use otpsim::behaviour::gen_server::{StartOpts, DEFAULT_TIMEOUT};
use otpsim::kernel::{secs, Ctx, Sim, SimConfig};
use otpsim::term::{atom, Term};
use std::cell::RefCell;
use std::rc::Rc;

/// Requests allowed per window.
pub const LIMIT: u32 = 5;
/// The window's length in virtual microseconds.
pub const WINDOW_US: u64 = secs(60);
/// Requests the client makes in each successive minute.
pub const REQUESTS_PER_MINUTE: [u32; 3] = [4, 8, 12];
/// The limiter's local name.
const LIMITER: &str = "rate_limiter";

/// Allowed and rejected requests in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Answered `ok`.
    pub allowed: u32,
    /// Answered `{error, rate_limited}`.
    pub rejected: u32,
}

/// What one run showed.
#[derive(Clone, Debug, Default)]
pub struct Story {
    /// The timeline, in virtual time.
    pub lines: Vec<String>,
    /// The virtual times (µs) at which the limiter reset its window.
    pub resets_us: Vec<u64>,
    /// Each window as the limiter counted it, reported at its reset.
    pub limiter_windows: Vec<Tally>,
    /// Each minute as the client saw the answers.
    pub client_windows: Vec<Tally>,
}

type Shared = Rc<RefCell<Story>>;

fn say(ctx: &Ctx, story: &Shared, line: String) {
    let t_us = ctx.now_us();
    story.borrow_mut().lines.push(format!(
        "{:>3}.{:03} s  {line}",
        t_us / 1_000_000,
        t_us / 1000 % 1000
    ));
}

/// The lesson's `MyApp.RateLimiter`, counting rejections too so that it can report
/// each window when it closes.
struct RateLimiter {
    max: u32,
    window: Tally,
    story: Shared,
}

impl RateLimiter {
    /// `Process.send_after(self(), :reset, 60_000)`.
    fn schedule_reset(ctx: &Ctx) {
        ctx.send_after(WINDOW_US, ctx.me(), atom("reset"));
    }
}

impl GenServer for RateLimiter {
    type Args = (u32, Shared);

    async fn init(ctx: &Ctx, (max, story): (u32, Shared)) -> Init<Self> {
        Self::schedule_reset(ctx);
        let window = Tally::default();
        Init::Ok(RateLimiter { max, window, story })
    }

    async fn handle_call(&mut self, _ctx: &Ctx, req: Term, _from: From) -> CallResponse {
        if !req.is_atom("check") {
            return CallResponse::reply(Term::tagged("error", atom("unknown_request")));
        }
        let used = self.window.allowed;
        if used < self.max {
            self.window.allowed += 1;
            CallResponse::reply(atom("ok"))
        } else {
            self.window.rejected += 1;
            CallResponse::reply(Term::tagged("error", atom("rate_limited")))
        }
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if msg.is_atom("reset") {
            let Tally { allowed, rejected } = self.window;
            let line =
                format!("limiter: reset (window had {allowed} allowed, {rejected} rejected)");
            say(ctx, &self.story, line);
            let mut story = self.story.borrow_mut();
            story.resets_us.push(ctx.now_us());
            story.limiter_windows.push(self.window);
            drop(story);
            self.window = Tally::default();
            Self::schedule_reset(ctx);
        }
        Response::noreply()
    }
}

/// The moments of the client's requests: `n` per minute, each in the middle of its
/// `1/n` slice, so none falls on a window boundary.
fn request_times_us() -> Vec<u64> {
    let mut times = Vec::new();
    for (minute, &n) in (0u64..).zip(REQUESTS_PER_MINUTE.iter()) {
        let slice_us = WINDOW_US / u64::from(n);
        times.extend((0..u64::from(n)).map(|i| minute * WINDOW_US + i * slice_us + slice_us / 2));
    }
    times
}

/// The whole scenario; returns what it showed.
pub fn run(seed: u64) -> Story {
    let story: Shared = Rc::default();
    let mut sim = Sim::new(SimConfig {
        seed,
        ..SimConfig::default()
    });
    let out = story.clone();
    sim.spawn(move |ctx| async move {
        let opts = StartOpts::named(LIMITER);
        gen_server::start_link::<RateLimiter>(&ctx, (LIMIT, out.clone()), opts)
            .await
            .into_result()?;
        let mut seen = vec![Tally::default(); REQUESTS_PER_MINUTE.len()];
        for at_us in request_times_us() {
            ctx.sleep(at_us - ctx.now_us()).await;
            let answer = gen_server::call(&ctx, LIMITER, atom("check"), DEFAULT_TIMEOUT).await?;
            let minute = (ctx.now_us() / WINDOW_US) as usize;
            if answer.is_atom("ok") {
                seen[minute].allowed += 1;
            } else {
                seen[minute].rejected += 1;
            }
            say(&ctx, &out, format!("client: check -> {answer}"));
        }
        // Past the last boundary, so that the third window's reset is seen.
        let end_us = WINDOW_US * REQUESTS_PER_MINUTE.len() as u64 + secs(1);
        ctx.sleep(end_us - ctx.now_us()).await;
        for (minute, t) in seen.iter().enumerate() {
            let (allowed, rejected) = (t.allowed, t.rejected);
            let line = format!("client: minute {minute}: {allowed} allowed, {rejected} rejected");
            say(&ctx, &out, line);
        }
        out.borrow_mut().client_windows = seen;
        gen_server::stop(&ctx, LIMITER, Term::NORMAL, None).await
    });
    let report = sim.run();
    let mut story = story.take();
    story.lines.push(format!("run: {}", report.outcome.name()));
    story
}

#[allow(dead_code)] // a test includes this file as a module and calls `run`
fn main() {
    for line in run(0).lines {
        println!("{line}");
    }
}
