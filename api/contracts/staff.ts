/** Staff accounts as the API and the command line accept them (issue #4). */

/** Usernames: 3–64 lower-case letters (Vietnamese too), digits, ".", "_" or "-", after NFC and lower-casing. */
export const STAFF_USERNAME = /^[\p{Ll}\p{Nd}._-]{3,64}$/u;
