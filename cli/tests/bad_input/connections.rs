//! Connections that misbehave: a 50 MB body, slow clients, thousands of idle sockets.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fifty_megabyte_body_is_413_without_being_read() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    const FIFTY_MB: u64 = 50 * 1024 * 1024;
    let limit = engine.state().config.server.max_body_bytes;
    let headers = webhook_headers("orders/create", &uid(), "c2lnbmF0dXJl");

    // Announced: refused on the Content-Length alone, after a few bytes of body.
    let mut stream = raw_http::connect(addr).await;
    let head = raw_http::head("POST", "/api/webhooks", &headers, Some(FIFTY_MB));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b' '; 16 * 1024]).await.unwrap();
    // Only 16 KB of the announced 50 MB were sent: an answer at all means it was not read.
    let ending = raw_http::read_ending(&mut stream, Duration::from_secs(20)).await;
    assert_eq!(
        ending,
        Ending::Response {
            status: 413,
            text: format!("body larger than {limit} bytes\n")
        }
    );

    // Not announced (chunked): refused once the limit is passed; the sender is cut off long
    // before 50 MB.
    let stream = raw_http::connect(addr).await;
    let (mut rd, mut wr) = stream.into_split();
    let mut head = raw_http::head("POST", "/api/webhooks", &headers, None);
    head.insert_str(head.len() - 2, "Transfer-Encoding: chunked\r\n");
    let sender = tokio::spawn(async move {
        let mut written = 0u64;
        if wr.write_all(head.as_bytes()).await.is_err() {
            return written;
        }
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        while written < FIFTY_MB {
            if wr.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            written += 0x10000;
        }
        written
    });
    let ending = raw_http::read_ending(&mut rd, Duration::from_secs(30)).await;
    assert!(
        matches!(ending, Ending::Response { status: 413, .. }),
        "{ending:?}"
    );
    drop(rd);
    let written = tokio::time::timeout(Duration::from_secs(30), sender)
        .await
        .expect("the server stops reading")
        .unwrap();
    assert!(written < FIFTY_MB, "the whole 50 MB were taken in");
    eprintln!("chunked sender got {written} bytes out before being cut off");

    assert_eq!(h.stream_messages().await, 0);
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_clients_are_cut_off_and_others_are_served_meanwhile() {
    let h = Harness::new().await;
    let engine = h.engine("[server]\nrequest_timeout = \"2s\"\n").await;
    let addr = engine.addr();
    let headers = webhook_headers("orders/create", &uid(), "c2lnbmF0dXJl");
    let head = raw_http::head("POST", "/api/webhooks", &headers, Some(1000));

    // Headers trickled a byte every 200 ms (the whole head would take about a minute).
    let header_started = Instant::now();
    let (mut header_rd, mut header_wr) = raw_http::connect(addr).await.into_split();
    let head_bytes = head.clone().into_bytes();
    let header_trickle = tokio::spawn(async move {
        raw_http::trickle(&mut header_wr, &head_bytes, Duration::from_millis(200)).await
    });
    // A body trickled a byte every 200 ms after a complete head.
    let body_started = Instant::now();
    let (mut body_rd, mut body_wr) = raw_http::connect(addr).await.into_split();
    body_wr.write_all(head.as_bytes()).await.unwrap();
    let body_trickle = tokio::spawn(async move {
        raw_http::trickle(&mut body_wr, &[b' '; 1000], Duration::from_millis(200)).await
    });

    // Meanwhile a normal webhook is served.
    assert_healthy(&h, addr).await;

    let ending = raw_http::read_ending(&mut body_rd, Duration::from_secs(20)).await;
    assert!(
        matches!(ending, Ending::Response { status: 408, .. }),
        "trickled body: {ending:?}"
    );
    assert!(body_started.elapsed() < Duration::from_secs(10));
    let ending = raw_http::read_ending(&mut header_rd, Duration::from_secs(30)).await;
    assert!(
        matches!(
            ending,
            Ending::Closed | Ending::Response { status: 408, .. }
        ),
        "trickled head: {ending:?}"
    );
    let cut_after = header_started.elapsed();
    assert!(
        cut_after < Duration::from_secs(20),
        "head trickler cut after {cut_after:?}"
    );
    header_trickle.abort();
    body_trickle.abort();
    assert_eq!(h.stream_messages().await, 0);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_idle_connections_do_not_lock_others_out_and_are_freed() {
    let h = Harness::new().await;
    // Fewer connection slots than idle sockets: the idle ones must be timed out to make room.
    let engine = h.engine("[server]\nmax_connections = 1000\n").await;
    let addr = engine.addr();
    let mut idle = Vec::new();
    for _ in 0..2000 {
        match tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
            .await
        {
            Ok(Ok(s)) => idle.push(s),
            // The kernel's accept queue is full: that is as many as can idle.
            _ => break,
        }
    }
    assert!(idle.len() >= 1000, "opened only {}", idle.len());
    eprintln!("{} idle connections open", idle.len());

    // A normal client gets through (at worst after the idle ones time out).
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let r = client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("a normal request is served while 2 000 sockets idle");
    assert_eq!(r.status(), 200);
    eprintln!("normal request served after {:?}", started.elapsed());

    // The server frees them: each idle socket is closed from its side.
    let opened = idle.len();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut closed = 0;
    for mut s in idle {
        let left = deadline.saturating_duration_since(Instant::now());
        if raw_http::read_ending(&mut s, left).await != Ending::Silent {
            closed += 1;
        }
    }
    assert_eq!(closed, opened, "every idle connection was closed");
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}
