/*
 * schema.S - schema.sql, embedded in the binary.
 *
 * The database is defined in one place, ../schema.sql. The Makefile passes
 * its absolute path as SCHEMA_PATH and this file pulls the bytes into
 * .rodata between sro_schema_sql and sro_schema_sql_end, followed by a NUL
 * so that db.c can hand the text to sqlite3_exec() as a C string. db.h
 * declares the symbols.
 */
    .section .rodata
    .global sro_schema_sql
    .type   sro_schema_sql, @object
    .global sro_schema_sql_end
    .type   sro_schema_sql_end, @object
sro_schema_sql:
    .incbin SCHEMA_PATH
sro_schema_sql_end:
    .byte 0
    .size   sro_schema_sql, sro_schema_sql_end - sro_schema_sql
    .size   sro_schema_sql_end, 1

    .section .note.GNU-stack,"",@progbits
