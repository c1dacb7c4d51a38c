package session

// StoreID exposes storeID to the external tests.
var StoreID = storeID
