//! An axum router served on a random port of 127.0.0.1 from its own thread and runtime,
//! stopped when dropped: what the index and upload servers run on.

use std::time::Duration;

/// A running server.
pub(crate) struct Background {
    /// The port on 127.0.0.1.
    pub port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Serve `router`; `name` names the thread and messages. Panics when it cannot start:
    /// this is test support.
    pub(crate) fn serve(name: &str, router: axum::Router) -> Self {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port on 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let port = listener.local_addr().expect("listener address").port();
        let (shutdown, shutdown_signal) = tokio::sync::oneshot::channel::<()>();
        let label = name.to_string();
        let thread = std::thread::Builder::new()
            .name(format!("{name}-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("start the server's runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("register the listener");
                    tokio::select! {
                        result = axum::serve(listener, router) => {
                            if let Err(err) = result {
                                eprintln!("{label} stopped: {err}");
                            }
                        }
                        _ = shutdown_signal => {}
                    }
                });
                // Open keep-alive connections belong to the runtime: drop them with it rather
                // than waiting for clients to hang up.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .expect("spawn the server thread");
        Self {
            port,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
