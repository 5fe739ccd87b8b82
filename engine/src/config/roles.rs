//! The roles one process runs (`[server] roles`, `xeno run --roles`): `edge` answers
//! webhooks, `writer` drains JetStream into PostgreSQL, `sync` runs the per-shop sync actors,
//! `api` serves the JSON API and the dashboard. The root supervisor (`engine/src/supervisor.rs`)
//! spawns only the children of these roles and the router (`engine/src/http/router.rs`) serves
//! only their routes; the probes are always served.

use std::fmt;
use std::str::FromStr;

/// One part of the engine a process may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Edge,
    Writer,
    Sync,
    Api,
}

impl Role {
    /// Every role, in the order they are listed (and the default of a process).
    pub const ALL: [Role; 4] = [Role::Edge, Role::Writer, Role::Sync, Role::Api];

    pub fn name(self) -> &'static str {
        match self {
            Role::Edge => "edge",
            Role::Writer => "writer",
            Role::Sync => "sync",
            Role::Api => "api",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "`{s}` is not a role; the roles are {}",
                    Role::ALL.map(Role::name).join(", ")
                )
            })
    }
}

/// The set of roles of one process; never empty once validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles([bool; 4]);

impl Default for Roles {
    /// All four: one process runs the whole engine.
    fn default() -> Self {
        Roles([true; 4])
    }
}

impl Roles {
    /// Parses a list of role names; an empty list or an unknown name is an error naming the
    /// valid roles.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Roles, String> {
        let mut set = [false; 4];
        for name in names {
            let role: Role = name.as_ref().parse()?;
            set[role as usize] = true;
        }
        if set.iter().all(|on| !on) {
            return Err(format!(
                "must name at least one role ({})",
                Role::ALL.map(Role::name).join(", ")
            ));
        }
        Ok(Roles(set))
    }

    /// Parses a comma-separated list, as `--roles edge,writer` gives it.
    pub fn parse_csv(text: &str) -> Result<Roles, String> {
        let names: Vec<&str> = text.split(',').filter(|s| !s.trim().is_empty()).collect();
        Roles::parse(&names)
    }

    pub fn has(self, role: Role) -> bool {
        self.0[role as usize]
    }

    /// The roles this process runs, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.has(*r))
    }

    /// The role names, as `/readyz`, `/api/health` and the process registry show them.
    pub fn names(self) -> Vec<String> {
        self.iter().map(|r| r.name().to_string()).collect()
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_list_in_any_order_and_case() {
        let roles = Roles::parse_csv("api, Edge").unwrap();
        assert_eq!(roles.names(), vec!["edge", "api"]);
        assert!(roles.has(Role::Edge) && roles.has(Role::Api));
        assert!(!roles.has(Role::Writer) && !roles.has(Role::Sync));
    }

    #[test]
    fn refuses_an_unknown_role_naming_the_valid_ones() {
        let e = Roles::parse_csv("edge,reader").unwrap_err();
        assert!(e.contains("`reader`"), "{e}");
        assert!(e.contains("edge, writer, sync, api"), "{e}");
    }

    #[test]
    fn refuses_an_empty_list() {
        assert!(Roles::parse::<&str>(&[]).is_err());
        assert!(Roles::parse_csv(" , ").is_err());
    }

    #[test]
    fn default_is_all_four() {
        assert_eq!(Roles::default().to_string(), "edge,writer,sync,api");
    }
}
