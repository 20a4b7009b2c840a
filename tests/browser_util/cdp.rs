//! A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`.
//!
//! Why not `--dump-dom`: under `--virtual-time-budget` headless Chromium runs timers but
//! produces a single animation frame, and without it the DOM is dumped at the load
//! event; either way the report's requestAnimationFrame redraws after a zoom or a drag
//! never run. Driving a live page over the protocol gives real frames, and
//! `Input.dispatchMouseEvent` sends trusted input that goes through hit testing, just
//! like a user's mouse.
//!
//! The pipe protocol: the browser reads NUL-terminated JSON commands on fd 3 and writes
//! replies and events on fd 4. `sh` wires those to our stdin/stdout pipes.

use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A headless browser with one page attached.
pub struct Browser {
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
    next_id: u64,
    session: Option<String>,
    log: String,
    // Dropping the sender ends the watchdog thread.
    _watchdog: mpsc::Sender<()>,
}

/// A page must never hang the test run: a stuck browser is killed after this.
const WATCHDOG: Duration = Duration::from_secs(90);

impl Browser {
    /// Starts `browser` headless (profile and log under `dir`), opens `url` and waits
    /// for its load event, so the report's own script has run.
    pub fn open(browser: &Path, dir: &Path, url: &str) -> Browser {
        std::fs::create_dir_all(dir).unwrap();
        let log = dir.join("chromium.log");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 1>&2 0</dev/null"#)
            .arg(browser)
            .args(super::HEADLESS)
            .args(["--remote-debugging-pipe", "--window-size=1400,900"])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("the browser starts");
        let (tx, rx) = mpsc::channel::<()>();
        let pid = child.id().to_string();
        std::thread::spawn(move || {
            if rx.recv_timeout(WATCHDOG) == Err(mpsc::RecvTimeoutError::Timeout) {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
            }
        });
        let to = child.stdin.take().unwrap();
        let from = BufReader::new(child.stdout.take().unwrap());
        let mut b = Browser {
            child,
            to,
            from,
            next_id: 0,
            session: None,
            log: log.display().to_string(),
            _watchdog: tx,
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        b.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        b.call("Page.enable", json!({}));
        b.call("Page.navigate", json!({"url": url}));
        while b.read()["method"] != "Page.loadEventFired" {}
        b
    }

    /// The next message from the browser (a reply or an event).
    fn read(&mut self) -> Value {
        let mut buf = Vec::new();
        let n = self.from.read_until(0, &mut buf).unwrap();
        assert!(
            n > 0 && buf.last() == Some(&0),
            "the browser closed the pipe; its log: {}",
            self.log
        );
        buf.pop();
        serde_json::from_slice(&buf).expect("the browser speaks JSON")
    }

    /// Sends a command to the page (the browser itself before attaching) and returns its
    /// result; events read meanwhile are dropped, the tests poll the DOM instead.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        self.to.flush().unwrap();
        loop {
            let reply = self.read();
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates `js` in the page, awaiting a promise, and returns its value as JSON.
    pub fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "awaitPromise": true, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{js}\nthrew: {r}");
        r["result"]["value"].clone()
    }

    /// A trusted mouse event at viewport point (x, y); `extra` adds button, deltas...
    pub fn mouse(&mut self, kind: &str, x: f64, y: f64, extra: Value) {
        let mut params = json!({"type": kind, "x": x, "y": y});
        for (k, v) in extra.as_object().unwrap() {
            params[k] = v.clone();
        }
        self.call("Input.dispatchMouseEvent", params);
    }

    /// Waits for the next animation frame: callbacks run in the order they were
    /// requested, so a redraw the report scheduled before this has been drawn after.
    pub fn frame(&mut self) {
        self.eval("new Promise(r => requestAnimationFrame(() => r(true)))");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.session = None;
        let mut bytes = serde_json::to_vec(&json!({"id": 0, "method": "Browser.close"})).unwrap();
        bytes.push(0);
        if self
            .to
            .write_all(&bytes)
            .and_then(|_| self.to.flush())
            .is_err()
        {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
