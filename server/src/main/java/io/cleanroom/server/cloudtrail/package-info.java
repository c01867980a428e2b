/** CloudTrail's LookupEvents over the audit trail: what each account may see of the calls recorded. */
package io.cleanroom.server.cloudtrail;
