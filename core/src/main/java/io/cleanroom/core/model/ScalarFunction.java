package io.cleanroom.core.model;

/** Scalar functions an aggregation rule can allow. */
public enum ScalarFunction {
    ABS,CAST,CEILING,COALESCE,CONVERT,CURRENT_DATE,DATEADD,EXTRACT,FLOOR,GETDATE,LN,LOG,LOWER,ROUND,RTRIM,SQRT,SUBSTRING,TO_CHAR,TO_DATE,TO_NUMBER,TO_TIMESTAMP,TRIM,TRUNC,UPPER
}
