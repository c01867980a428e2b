package io.cleanroom.core.model;

/** What an access key may call: an administrator everything, an analyst only run and read queries. */
public enum Role {
    ADMINISTRATOR,ANALYST
}
