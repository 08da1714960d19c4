//! A map of values computed at most once per key, even when many tasks ask at the same
//! time: the resolver asks for the same project page from several tasks, and only one
//! request should go out.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// Values by key; a failed computation is not stored, so a later caller tries again.
pub(crate) struct OnceMap<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        Self {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> OnceMap<K, V> {
    /// The value for `key`, computing it with `init` unless another task has (or is).
    pub(crate) async fn get_or_try_init<E, F, Fut>(&self, key: K, init: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = {
            let mut cells = self.cells.lock().expect("once map lock");
            Arc::clone(cells.entry(key).or_default())
        };
        cell.get_or_try_init(init).await.cloned()
    }
}
