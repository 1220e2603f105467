//! A VM's own key-value store with shared data's semantics (CAS numbers, absent keys created
//! whatever the CAS): the throttle table and identity map of `engine: worker` mode, where
//! each VM judges its own requests and nothing is shared. Bounded like shared data: only the
//! fixed slot keys of `crate::slots` and `crate::identity` are ever written.

use crate::slots::Store;
use std::cell::RefCell;
use std::collections::HashMap;

/// Key -> (value, CAS number).
#[derive(Debug, Default)]
pub struct LocalStore {
    map: RefCell<HashMap<String, (Vec<u8>, u32)>>,
    next_cas: std::cell::Cell<u32>,
}

impl Store for LocalStore {
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        self.map.borrow().get(key).cloned()
    }

    fn set(&self, key: &str, value: &[u8], cas: u32) -> bool {
        let next = self.next_cas.get().wrapping_add(1).max(1);
        self.next_cas.set(next);
        let mut m = self.map.borrow_mut();
        match m.get_mut(key) {
            Some(v) if cas != 0 && v.1 != cas => false,
            Some(v) => {
                *v = (value.to_vec(), next);
                true
            }
            None => {
                m.insert(key.to_string(), (value.to_vec(), next));
                true
            }
        }
    }
}
