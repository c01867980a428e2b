/** The AWS Glue awsJson1.1 subset that is each account's catalog: databases and tables registered in place. */
package io.cleanroom.server.glue;
