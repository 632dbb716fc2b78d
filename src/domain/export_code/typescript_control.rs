//! The Node export of the control blocks (see python_control.rs).
