package dev.trunkline.twilio.client;

/** The two Twilio hosts Trunkline talks to: the core API and the Elastic SIP Trunking API. */
public enum TwilioHost { API, TRUNKING }
