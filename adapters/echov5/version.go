package sessechov5

// Version is the version of this module, in lockstep with the core module.
const Version = "0.1.0"
