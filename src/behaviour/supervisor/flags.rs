//! Supervisor flags and the enumerations a child spec is made of (SUP-1, SUP-2).

use crate::term::{atom, Term};

/// How the supervisor reacts when a child must be restarted (SUP-11 to SUP-13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Restart only the dead child.
    OneForOne,
    /// Shut every other child down, then start them all again.
    OneForAll,
    /// Shut the children started after the dead one down, then start it and them again.
    RestForOne,
}

/// When a terminated child is restarted (SUP-10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Always.
    Permanent,
    /// Only after an exit with a reason other than `normal`, `shutdown` or
    /// `{shutdown, _}`.
    Transient,
    /// Never; the spec is deleted when the child exits.
    Temporary,
}

/// How a child is shut down (SUP-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// `exit(Child, kill)`.
    BrutalKill,
    /// `exit(Child, shutdown)`, then `kill` after this many milliseconds.
    Timeout(u64),
    /// `exit(Child, shutdown)` and wait for ever (the default for child supervisors).
    Infinity,
}

/// What a child is, for `which_children` and `count_children` (SUP-24).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildType {
    /// A worker.
    Worker,
    /// A supervisor.
    Supervisor,
}

/// When significant children's exits shut the supervisor down (SUP-18).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoShutdown {
    /// Never (the default); significant children are then invalid (SUP-3).
    Never,
    /// When any significant child terminates for good.
    AnySignificant,
    /// When the last running significant child terminates for good.
    AllSignificant,
}

/// A supervisor's flags (SUP-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupFlags {
    /// The restart strategy.
    pub strategy: Strategy,
    /// Restarts allowed in `max_seconds` (OTP's `intensity`); 0 means the first crash
    /// ends the supervisor (SUP-14).
    pub max_restarts: u32,
    /// The window, in whole seconds (OTP's `period`); must be above 0.
    pub max_seconds: u32,
    /// Automatic shutdown on significant children's exits.
    pub auto_shutdown: AutoShutdown,
}

impl SupFlags {
    /// Elixir's defaults: 3 restarts in 5 seconds, `auto_shutdown` never.
    pub fn new(strategy: Strategy) -> SupFlags {
        SupFlags {
            strategy,
            max_restarts: 3,
            max_seconds: 5,
            auto_shutdown: AutoShutdown::Never,
        }
    }

    /// The same flags with `max_restarts` restarts allowed in `max_seconds`.
    pub fn intensity(self, max_restarts: u32, max_seconds: u32) -> SupFlags {
        SupFlags {
            max_restarts,
            max_seconds,
            ..self
        }
    }

    /// The same flags with another `auto_shutdown`.
    pub fn auto_shutdown(self, auto_shutdown: AutoShutdown) -> SupFlags {
        SupFlags {
            auto_shutdown,
            ..self
        }
    }

    /// OTP's check of the flags: `Err({invalid_period, P})` for a zero period.
    pub(crate) fn check(&self) -> Result<(), Term> {
        if self.max_seconds == 0 {
            return Err(Term::tagged("invalid_period", Term::Int(0)));
        }
        Ok(())
    }
}

impl Strategy {
    /// The strategy's OTP name.
    pub fn to_term(self) -> Term {
        match self {
            Strategy::OneForOne => atom("one_for_one"),
            Strategy::OneForAll => atom("one_for_all"),
            Strategy::RestForOne => atom("rest_for_one"),
        }
    }
}

impl Restart {
    /// The restart type's OTP name.
    pub fn to_term(self) -> Term {
        match self {
            Restart::Permanent => atom("permanent"),
            Restart::Transient => atom("transient"),
            Restart::Temporary => atom("temporary"),
        }
    }
}

impl Shutdown {
    /// As OTP writes it: `brutal_kill`, milliseconds or `infinity`.
    pub fn to_term(self) -> Term {
        match self {
            Shutdown::BrutalKill => atom("brutal_kill"),
            Shutdown::Timeout(t) => Term::Int(i64::try_from(t).unwrap_or(i64::MAX)),
            Shutdown::Infinity => atom("infinity"),
        }
    }
}

impl ChildType {
    /// `worker` or `supervisor`.
    pub fn to_term(self) -> Term {
        match self {
            ChildType::Worker => atom("worker"),
            ChildType::Supervisor => atom("supervisor"),
        }
    }

    /// Reads `worker` or `supervisor`.
    pub fn from_term(t: &Term) -> Option<ChildType> {
        match t.as_atom()? {
            "worker" => Some(ChildType::Worker),
            "supervisor" => Some(ChildType::Supervisor),
            _ => None,
        }
    }
}

impl AutoShutdown {
    /// The setting's OTP name.
    pub fn to_term(self) -> Term {
        match self {
            AutoShutdown::Never => atom("never"),
            AutoShutdown::AnySignificant => atom("any_significant"),
            AutoShutdown::AllSignificant => atom("all_significant"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sup1_elixir_defaults_and_period_check() {
        // SUP-1: Elixir defaults max_restarts 3, max_seconds 5; period must be > 0.
        let f = SupFlags::new(Strategy::OneForAll);
        assert_eq!((f.max_restarts, f.max_seconds), (3, 5));
        assert_eq!(f.auto_shutdown, AutoShutdown::Never);
        assert!(f.check().is_ok());
        assert_eq!(
            f.intensity(1, 0).check(),
            Err(Term::tagged("invalid_period", Term::Int(0)))
        );
    }

    #[test]
    fn names_print_as_otp_writes_them() {
        assert_eq!(Shutdown::Timeout(500).to_term(), Term::Int(500));
        assert_eq!(Shutdown::BrutalKill.to_term().to_string(), "brutal_kill");
        assert_eq!(Restart::Transient.to_term().to_string(), "transient");
        assert_eq!(
            ChildType::from_term(&ChildType::Supervisor.to_term()),
            Some(ChildType::Supervisor)
        );
        assert_eq!(
            AutoShutdown::AllSignificant.to_term().to_string(),
            "all_significant"
        );
        assert_eq!(Strategy::RestForOne.to_term().to_string(), "rest_for_one");
    }
}
