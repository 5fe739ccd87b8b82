//! A private NATS cluster with JetStream for one test: `/usr/sbin/nats-server` processes on
//! loopback (free ports for clients and routes, a store directory each), which the test can
//! kill and restart one by one, and questions about a stream's RAFT group (its leader, whether
//! a replica has caught up). Every process is killed when the cluster is dropped, also on panic.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, stream};

use super::free_port;
use super::process::ScratchDir;

const NATS_SERVER: &str = "/usr/sbin/nats-server";

/// One server of the cluster; its name, ports and store survive a restart.
pub struct NatsNode {
    pub name: String,
    pub client_port: u16,
    args: Vec<String>,
    child: Option<Child>,
}

impl NatsNode {
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.client_port)
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name);
        let child = Command::new(NATS_SERVER)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{NATS_SERVER} runs: {e}"));
        self.child = Some(child);
    }

    /// One server on its own (no cluster), JetStream on, its store in `dir`: a private NATS
    /// a test may stop and start again on the same port and store.
    pub async fn standalone(dir: &ScratchDir) -> NatsNode {
        let client_port = free_port();
        let store = dir.path().join("nats");
        let args = [
            "-a",
            "127.0.0.1",
            "-p",
            &client_port.to_string(),
            "-js",
            "-sd",
            &store.display().to_string(),
        ]
        .map(str::to_string)
        .to_vec();
        let mut node = NatsNode {
            name: "solo".into(),
            client_port,
            args,
            child: None,
        };
        node.start().await;
        node
    }

    /// Starts a killed node again (same port and store) and waits until it accepts clients.
    pub async fn start(&mut self) {
        self.spawn();
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.client_port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "{} never listened", self.name);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: the node vanishes mid-write, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NatsNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `size` servers routed to each other, JetStream on, named `n1`, `n2`, ….
pub struct NatsCluster {
    pub nodes: Vec<NatsNode>,
    /// Declared after `nodes`, so the servers are dead before their stores are removed.
    _dir: ScratchDir,
}

impl NatsCluster {
    /// Starts the servers and waits until JetStream can place a stream on all of them.
    pub async fn start(size: usize) -> NatsCluster {
        let dir = ScratchDir::new("xeno-nats-cluster");
        let ports: Vec<(u16, u16)> = (0..size).map(|_| (free_port(), free_port())).collect();
        let routes = ports
            .iter()
            .map(|(_, cluster)| format!("nats://127.0.0.1:{cluster}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut nodes = Vec::new();
        for (i, (client_port, cluster_port)) in ports.into_iter().enumerate() {
            let name = format!("n{}", i + 1);
            let store = dir.path().join(&name);
            let args = [
                "-a",
                "127.0.0.1",
                "-p",
                &client_port.to_string(),
                "--server_name",
                &name,
                "--cluster_name",
                "xeno-test",
                "--cluster",
                &format!("nats://127.0.0.1:{cluster_port}"),
                "--routes",
                &routes,
                "-js",
                "-sd",
                &store.display().to_string(),
            ]
            .map(str::to_string)
            .to_vec();
            let mut node = NatsNode {
                name,
                client_port,
                args,
                child: None,
            };
            node.spawn();
            nodes.push(node);
        }
        let cluster = NatsCluster { nodes, _dir: dir };
        cluster.wait_for_jetstream(size, 60).await;
        cluster
    }

    /// Every node's url, comma-separated (what `[nats] url` takes for a cluster).
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(NatsNode::url)
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn node(&mut self, name: &str) -> &mut NatsNode {
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name}"))
    }

    /// Starts a killed node again, with its old name, ports and store.
    pub fn restart(&mut self, name: &str) {
        self.node(name).spawn();
    }

    /// A JetStream context on a connection to the running nodes.
    pub async fn jetstream(&self) -> Option<jetstream::Context> {
        let urls: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.is_running())
            .map(NatsNode::url)
            .collect();
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(2))
            .request_timeout(Some(Duration::from_secs(2)))
            .connect(urls)
            .await
            .ok()?;
        Some(jetstream::new(client))
    }

    /// Waits until the meta group has a leader and `replicas` peers, by creating (and
    /// deleting) a probe stream with that many replicas.
    async fn wait_for_jetstream(&self, replicas: usize, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let name = format!("PROBE{}", super::uid().replace('-', ""));
        loop {
            if let Some(js) = self.jetstream().await {
                let config = stream::Config {
                    name: name.clone(),
                    subjects: vec![format!("{name}.>")],
                    num_replicas: replicas,
                    ..Default::default()
                };
                if js.create_stream(config).await.is_ok() {
                    let _ = js.delete_stream(&name).await;
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "JetStream never formed over {replicas} nodes"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The stream's RAFT group as the running nodes see it (None while it has no leader).
    pub async fn stream_cluster(&self, stream: &str) -> Option<stream::ClusterInfo> {
        let js = self.jetstream().await?;
        let mut s = js.get_stream(stream).await.ok()?;
        s.info().await.ok()?.cluster.clone()
    }

    /// Waits until the stream has a leader other than `not`; returns its name.
    pub async fn wait_stream_leader(&self, stream: &str, not: Option<&str>, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let leader = self.stream_cluster(stream).await.and_then(|c| c.leader);
            if let Some(leader) = leader {
                if Some(leader.as_str()) != not {
                    return leader;
                }
            }
            assert!(
                Instant::now() < deadline,
                "stream {stream} found no leader besides {not:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until `node` is a current, online replica of the stream with no lag.
    pub async fn wait_caught_up(&self, stream: &str, node: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let cluster = self.stream_cluster(stream).await;
            let caught_up = cluster.as_ref().is_some_and(|c| {
                c.leader.as_deref() == Some(node)
                    || c.replicas.iter().any(|p| {
                        p.name == node && p.current && !p.offline && p.lag.unwrap_or(0) == 0
                    })
            });
            if caught_up {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{node} never caught up on {stream}: {cluster:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
