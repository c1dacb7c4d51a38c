package main

// Version is the version of the sesskit command. Every sesskit module is
// released at the same version (scripts/release.sh sets it).
const Version = "0.1.0"
