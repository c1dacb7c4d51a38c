package session

// Version is the version of the core module (session, sesshttp, redisstore,
// memstore, sessiontest). Every sesskit module is released at the same
// version.
const Version = "0.1.0"
