//! What an application is: its name, dependencies, environment and callbacks (the
//! simulation's `.app` file plus its callback module).

use crate::behaviour::gen_server::{StartOpts, StartResult};
use crate::behaviour::supervisor::{self, ChildSpec, SupFlags};
use crate::kernel::Ctx;
use crate::term::{atom, Atom, Term};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// How the node reacts when the application stops on its own (APP-5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppType {
    /// Any exit halts the node, and so does a failed start.
    Permanent,
    /// An exit other than `normal` halts the node (`shutdown` included), and so does a
    /// failed start.
    Transient,
    /// Exits are only logged. The default of `application:start/1` and of Elixir's
    /// `Application.start/1` and `ensure_all_started/1` (APP-1).
    #[default]
    Temporary,
}

impl AppType {
    /// `permanent`, `transient` or `temporary`.
    pub fn to_term(self) -> Term {
        match self {
            AppType::Permanent => atom("permanent"),
            AppType::Transient => atom("transient"),
            AppType::Temporary => atom("temporary"),
        }
    }

    /// The type named by the atom, if it names one.
    pub fn from_term(t: &Term) -> Option<AppType> {
        match t.as_atom()? {
            "permanent" => Some(AppType::Permanent),
            "transient" => Some(AppType::Transient),
            "temporary" => Some(AppType::Temporary),
            _ => None,
        }
    }

    pub(crate) fn atom(self) -> Atom {
        match self.to_term() {
            Term::Atom(a) => a,
            _ => Atom::from_static("temporary"),
        }
    }
}

/// `Mod:start(normal, Args)`: runs in the application's starter process and must start
/// the top supervisor linked to it, returning its [`StartResult`] (APP-2).
pub type AppStartFn = Rc<dyn Fn(Ctx) -> Pin<Box<dyn Future<Output = StartResult>>>>;

/// `Mod:prep_stop/1` or `Mod:stop/1`: runs in the application's starter process
/// (APP-3). A crash in it is ignored, as OTP catches it.
pub type AppCallbackFn = Rc<dyn Fn(Ctx) -> Pin<Box<dyn Future<Output = ()>>>>;

/// An application: what OTP reads from its `.app` file and callback module.
///
/// ```
/// use otpsim::behaviour::application::AppSpec;
/// use otpsim::behaviour::supervisor::{Strategy, SupFlags};
/// use otpsim::term::Term;
///
/// let spec = AppSpec::supervisor("shop", SupFlags::new(Strategy::OneForOne), vec![])
///     .depends_on(&["db"])
///     .env("port", Term::Int(8080));
/// assert_eq!(spec.applications.len(), 1);
/// ```
#[derive(Clone)]
pub struct AppSpec {
    /// The application's name.
    pub name: Atom,
    /// The applications that must be running before it starts (`applications`).
    pub applications: Vec<Atom>,
    /// Its default environment (`env`); the controller's config overrides it at load.
    pub env: BTreeMap<String, Term>,
    /// The callback module named in error reasons (`{R, {Mod, start, [normal, Args]}}`);
    /// defaults to the application's name.
    pub module: Atom,
    /// The `Args` of `Mod:start(normal, Args)` in error reasons; defaults to `[]`.
    pub start_args: Term,
    /// `Mod:start(normal, Args)`.
    pub start: AppStartFn,
    /// `Mod:prep_stop(State)`, if defined.
    pub prep_stop: Option<AppCallbackFn>,
    /// `Mod:stop(State)`, if defined.
    pub stop: Option<AppCallbackFn>,
}

impl std::fmt::Debug for AppSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSpec")
            .field("name", &self.name)
            .field("applications", &self.applications)
            .field("env", &self.env)
            .field("module", &self.module)
            .finish_non_exhaustive()
    }
}

impl AppSpec {
    /// An application called `name` whose start function is `start`; no dependencies,
    /// no environment, no `prep_stop` or `stop`.
    pub fn new<F, Fut>(name: &str, start: F) -> AppSpec
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = StartResult> + 'static,
    {
        AppSpec {
            name: Atom::new(name),
            applications: Vec::new(),
            env: BTreeMap::new(),
            module: Atom::new(name),
            start_args: Term::list([]),
            start: Rc::new(move |ctx| Box::pin(start(ctx))),
            prep_stop: None,
            stop: None,
        }
    }

    /// An application whose start function starts a top supervisor with `flags` and
    /// `children`, labelled with the application's name (children `name/id`).
    pub fn supervisor(name: &str, flags: SupFlags, children: Vec<ChildSpec>) -> AppSpec {
        let label = Atom::new(name);
        AppSpec::new(name, move |ctx: Ctx| {
            let children = children.clone();
            let opts = StartOpts {
                label: Some(label.clone()),
                ..StartOpts::default()
            };
            async move { supervisor::start_link(&ctx, flags, children, opts).await }
        })
    }

    /// The same application, depending on `apps` (started first by
    /// `ensure_all_started`, in this order).
    pub fn depends_on(mut self, apps: &[&str]) -> AppSpec {
        self.applications.extend(apps.iter().map(|a| Atom::new(a)));
        self
    }

    /// The same application with `key` set to `value` in its default environment.
    pub fn env(mut self, key: &str, value: Term) -> AppSpec {
        self.env.insert(key.to_string(), value);
        self
    }

    /// The same application with another callback module name for error reasons.
    pub fn module(mut self, module: &str) -> AppSpec {
        self.module = Atom::new(module);
        self
    }

    /// The same application with other start arguments for error reasons.
    pub fn start_args(mut self, args: Term) -> AppSpec {
        self.start_args = args;
        self
    }

    /// The same application with a `prep_stop` callback.
    pub fn on_prep_stop<F, Fut>(mut self, f: F) -> AppSpec
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        self.prep_stop = Some(Rc::new(move |ctx| Box::pin(f(ctx))));
        self
    }

    /// The same application with a `stop` callback.
    pub fn on_stop<F, Fut>(mut self, f: F) -> AppSpec
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        self.stop = Some(Rc::new(move |ctx| Box::pin(f(ctx))));
        self
    }

    /// `{Mod, start, [normal, Args]}`, as failed starts name the call (APP-2).
    pub(crate) fn start_mfa(&self) -> Term {
        Term::tuple_of([
            Term::Atom(self.module.clone()),
            atom("start"),
            Term::list([atom("normal"), self.start_args.clone()]),
        ])
    }
}
