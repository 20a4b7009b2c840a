//! `conn_pool`: the "supervisor of connections" pool of the OTP lesson's exercise 4: a
//! router GenServer that sends each query to a connection picked at random among the
//! running children of a sibling supervisor.
//!
//! Requests: call `{query, Q}` → the router asks the supervisor at `supervisor` for
//! its children (`which_children`, as `supervisor:which_children/1` does), keeps those
//! with a running process (skipping `restarting` and `undefined` ones), picks one
//! uniformly at random from the stream `model:<path>`, and forwards the request
//! unchanged (`{query, Q}`) to it with `call_timeout`. The connection's reply is the
//! caller's; a forwarded call that exits is answered `{error, Reason}` (`timeout`,
//! `noproc`, the connection's exit reason). With no running connection (or no
//! supervisor) the answer is `{error, no_connections}`. Any other call →
//! `{error, invalid_message}`.
//!
//! Design: `which_children` is a call the router makes itself (a supervisor answers
//! at once), but the query runs in a short-lived helper process linked to the router
//! (`<path>/call`) that mails back the outcome, so one slow connection does not hold
//! up the queries to the others.
//!
//! Model event `picked` {Index, Running} per query routed (the index in
//! `which_children` order among the running connections). The fault
//! `{'$otpsim_fault', crash, Reason}` stops it.
//!
//! Parameters:
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `supervisor` | required | path of the supervisor whose children are the connections |
//! | `call_timeout` | `"5s"` | timeout of each forwarded query (whole milliseconds) |
//!
//! ```json
//! {"id": "router", "model": "conn_pool", "params": {"supervisor": "root/conns", "call_timeout": "500ms"}}
//! ```

use super::forward::{error_reply, Forwards};
use super::params::{self, duration_json, duration_schema, model_event, Params as Fields};
use super::refs::{self, node_ref, path_schema};
use super::{fault, Model, ModelEnv, StartFuture};
use crate::behaviour::gen_server::{
    self, CallResponse, From, GenServer, Init, Response, ServerRef,
};
use crate::kernel::rng::Stream;
use crate::kernel::{ms, secs, Ctx};
use crate::scenario::json::{LoadError, Reader};
use crate::term::{atom, Pid, Term};
use rand_core::RngCore;
use serde_json::{json, Value};
use std::rc::Rc;

/// The model's name in scenarios.
pub const NAME: &str = "conn_pool";

const FIELDS: &[&str] = &["supervisor", "call_timeout"];

const DEFAULT_CALL_TIMEOUT_US: u64 = secs(5);

/// The router's parameters (see the module documentation for defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Path of the supervisor of the connections.
    pub supervisor: String,
    /// Timeout of each forwarded query, µs (whole milliseconds).
    pub call_timeout_us: u64,
}

/// Reads the `"params"` object; `supervisor` is required.
pub fn parse(params: Option<&Reader<'_>>) -> Result<Rc<dyn Model>, LoadError> {
    let mut p = Fields::open(params, FIELDS);
    refs::require(&mut p, params, NAME, &["supervisor"]);
    let parsed = Params {
        supervisor: p.read("supervisor", String::new(), refs::read_path),
        call_timeout_us: p.whole_ms("call_timeout", DEFAULT_CALL_TIMEOUT_US),
    };
    p.finish(Rc::new(parsed) as Rc<dyn Model>)
}

/// JSON Schema of the parameters.
pub fn schema() -> Value {
    let mut s = params::object_schema(vec![
        (
            "supervisor",
            path_schema("path of the supervisor whose children are the connections"),
        ),
        (
            "call_timeout",
            duration_schema(
                "timeout of each forwarded query (whole milliseconds)",
                Some(DEFAULT_CALL_TIMEOUT_US),
            ),
        ),
    ]);
    s["required"] = json!(["supervisor"]);
    s
}

impl Model for Params {
    fn params_json(&self) -> Value {
        json!({
            "supervisor": self.supervisor,
            "call_timeout": duration_json(self.call_timeout_us),
        })
    }

    fn start(&self, ctx: Ctx, env: ModelEnv, _extra: Vec<Term>) -> StartFuture {
        let args = (Rc::new(self.clone()), env.path.clone());
        Box::pin(async move {
            gen_server::start_link::<ConnPool>(&ctx, args, params::start_opts(&env)).await
        })
    }
}

/// The running router.
pub struct ConnPool {
    params: Rc<Params>,
    path: String,
    rng: Stream,
    forwards: Forwards,
}

/// The running children in a `which_children` reply: `[{Id, Child, Type, Modules}]`
/// where Child is a pid, `restarting` or `undefined`.
fn running(reply: &Term) -> Vec<Pid> {
    reply
        .as_list()
        .unwrap_or(&[])
        .iter()
        .filter_map(|row| match row.as_tuple() {
            Some([_, Term::Pid(p), ..]) => Some(*p),
            _ => None,
        })
        .collect()
}

impl ConnPool {
    /// The running connections; none when the supervisor cannot be asked (it is down,
    /// or restarting under its own supervisor).
    async fn connections(&self, ctx: &Ctx) -> Vec<Pid> {
        let sup = node_ref(ctx, &self.params.supervisor);
        if matches!(&sup, ServerRef::Name(n) if ctx.whereis(n).is_none()) {
            return Vec::new();
        }
        let timeout_ms = Some(self.params.call_timeout_us / ms(1));
        match gen_server::call(ctx, sup, atom("which_children"), timeout_ms).await {
            Ok(reply) => running(&reply),
            Err(_) => Vec::new(),
        }
    }
}

impl GenServer for ConnPool {
    /// The parameters and the router's path (its random stream and helpers' labels).
    type Args = (Rc<Params>, String);

    async fn init(ctx: &Ctx, (params, path): Self::Args) -> Init<Self> {
        let rng = ctx.rng(&format!("model:{path}"));
        Init::Ok(ConnPool {
            params,
            path,
            rng,
            forwards: Forwards::default(),
        })
    }

    async fn handle_call(&mut self, ctx: &Ctx, request: Term, from: From) -> CallResponse {
        if request.tag() != Some("query") || request.as_tuple().map(<[Term]>::len) != Some(2) {
            return CallResponse::reply(error_reply(atom("invalid_message")));
        }
        let conns = self.connections(ctx).await;
        if conns.is_empty() {
            return CallResponse::reply(error_reply(atom("no_connections")));
        }
        let index = (self.rng.next_u64() % conns.len() as u64) as usize;
        let detail = Term::tuple_of([Term::Int(index as i64), Term::Int(conns.len() as i64)]);
        model_event(ctx, NAME, "picked", detail);
        let timeout_ms = Some(self.params.call_timeout_us / ms(1));
        let label = format!("{}/call", self.path);
        self.forwards
            .call(ctx, label, conns[index].into(), request, timeout_ms, from);
        CallResponse::noreply()
    }

    async fn handle_cast(&mut self, _ctx: &Ctx, _request: Term) -> Response {
        Response::noreply()
    }

    async fn handle_info(&mut self, ctx: &Ctx, msg: Term) -> Response {
        if let Some(stop) = fault::on_info(&msg) {
            return stop;
        }
        self.forwards.on_info(ctx, &msg);
        Response::noreply()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_running_children_are_connections() {
        let p = Pid::from_parts(3, 1);
        let row = |child: Term| Term::tuple_of([atom("c"), child, atom("worker"), Term::list([])]);
        let reply = Term::list([
            row(Term::Pid(p)),
            row(atom("restarting")),
            row(Term::UNDEFINED),
        ]);
        assert_eq!(running(&reply), vec![p]);
        assert!(running(&atom("junk")).is_empty());
    }
}
