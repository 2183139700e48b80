using Sluice.Schemas;

namespace Sluice.Sql.Syntax;

// The statement nodes are small records; they share this file so the statement language reads in one place.

/// <summary>A statement of a SQL script.</summary>
internal abstract record SqlStatement(SqlPosition Position) : SqlNode(Position);

/// <summary>A query run on its own (the shell shows its result).</summary>
internal sealed record SqlQueryStatement(SqlQuery Query, SqlPosition Position) : SqlStatement(Position);

/// <summary>A column of CREATE TABLE.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Comment">The COMMENT, or null.</param>
internal abstract record SqlColumnDefinition(string Name, string? Comment, SqlPosition Position) : SqlNode(Position);

/// <summary><c>name TYPE [COMMENT '…']</c>, a physical column.</summary>
internal sealed record SqlPhysicalColumn(string Name, DataType Type, string? Comment, SqlPosition Position) : SqlColumnDefinition(Name, Comment, Position);

/// <summary><c>name AS expr [COMMENT '…']</c>, a computed column.</summary>
internal sealed record SqlComputedColumn(string Name, SqlExpression Expression, string? Comment, SqlPosition Position) : SqlColumnDefinition(Name, Comment, Position);

/// <summary><c>name TYPE METADATA [FROM 'key'] [VIRTUAL] [COMMENT '…']</c>, a connector metadata column.</summary>
/// <param name="Key">The metadata key of FROM, or null to use the column name.</param>
/// <param name="Virtual">Whether the column is read-only (left out when writing).</param>
internal sealed record SqlMetadataColumn(string Name, DataType Type, string? Key, bool Virtual, string? Comment, SqlPosition Position)
    : SqlColumnDefinition(Name, Comment, Position);

/// <summary><c>WATERMARK FOR column AS expr</c>.</summary>
internal sealed record SqlWatermarkDefinition(string Column, SqlExpression Expression, SqlPosition Position) : SqlNode(Position);

/// <summary><c>[CONSTRAINT name] PRIMARY KEY (columns) NOT ENFORCED</c>, on the table or on one column.</summary>
/// <param name="ConstraintName">The CONSTRAINT name, or null.</param>
internal sealed record SqlPrimaryKey(string? ConstraintName, SqlList<string> Columns, SqlPosition Position) : SqlNode(Position);

/// <summary><c>'key' = 'value'</c> of a WITH clause.</summary>
internal sealed record SqlTableOption(string Key, string Value, SqlPosition Position) : SqlNode(Position);

/// <summary>
/// <c>CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (columns, WATERMARK …, PRIMARY KEY …) [COMMENT '…']
/// [PARTITIONED BY (…)] WITH (…)</c>. A PRIMARY KEY written on a column is stored in <see cref="PrimaryKey"/>.
/// </summary>
internal sealed record SqlCreateTable(
    SqlIdentifier Name,
    bool Temporary,
    bool IfNotExists,
    SqlList<SqlColumnDefinition> Columns,
    SqlWatermarkDefinition? Watermark,
    SqlPrimaryKey? PrimaryKey,
    string? Comment,
    SqlList<string> PartitionedBy,
    SqlList<SqlTableOption> Options,
    SqlPosition Position) : SqlStatement(Position)
{
    /// <summary>The table's <c>CONSTRAINT name CHECK (…) ON VIOLATION …</c> clauses, in declaration order.</summary>
    public SqlList<SqlCheckConstraint> Checks { get; init; } = SqlList<SqlCheckConstraint>.Empty;
}

/// <summary>
/// <c>CONSTRAINT name CHECK (condition) [ON VIOLATION {DLQ | DROP | WARN | FAIL}]</c>: a data-quality rule on the rows
/// written into the table (default action DLQ).
/// </summary>
internal sealed record SqlCheckConstraint(string Name, SqlExpression Condition, Sluice.Quality.RuleAction Action, SqlPosition Position) : SqlNode(Position);

/// <summary><c>CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(columns)] [COMMENT '…'] AS query</c>.</summary>
internal sealed record SqlCreateView(SqlIdentifier Name, bool Temporary, bool IfNotExists, SqlList<string> Columns, string? Comment, SqlQuery Query, SqlPosition Position)
    : SqlStatement(Position);

/// <summary>
/// <c>CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [WITH ('key' = 'value', …)] AS query</c>: a query whose result a
/// server job maintains incrementally in a warehouse table of the view's name.
/// </summary>
/// <param name="Options">The view's options (checkpoint interval, parallelism), as written.</param>
internal sealed record SqlCreateMaterializedView(SqlIdentifier Name, bool IfNotExists, SqlList<SqlTableOption> Options, SqlQuery Query, SqlPosition Position)
    : SqlStatement(Position);

/// <summary><c>CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS 'Namespace.Type' [LANGUAGE lang]</c>.</summary>
/// <param name="ClassName">The implementing type's name, as written.</param>
/// <param name="Language">The LANGUAGE (upper-cased), or null.</param>
internal sealed record SqlCreateFunction(SqlIdentifier Name, bool Temporary, bool System, bool IfNotExists, string ClassName, string? Language, SqlPosition Position)
    : SqlStatement(Position);

/// <summary><c>DROP [TEMPORARY] TABLE|VIEW|FUNCTION [IF EXISTS] name</c>, or <c>DROP MATERIALIZED VIEW [IF EXISTS] name</c>.</summary>
internal sealed record SqlDrop(SqlObjectKind Kind, SqlIdentifier Name, bool Temporary, bool IfExists, SqlPosition Position) : SqlStatement(Position);

/// <summary><c>SHOW TABLES|VIEWS|FUNCTIONS</c>, or <c>SHOW MATERIALIZED VIEWS</c>.</summary>
/// <param name="Kind">What to list.</param>
internal sealed record SqlShow(SqlObjectKind Kind, SqlPosition Position) : SqlStatement(Position);

/// <summary><c>DESCRIBE name</c> or <c>DESC name</c>.</summary>
internal sealed record SqlDescribe(SqlIdentifier Name, SqlPosition Position) : SqlStatement(Position);

/// <summary><c>EXPLAIN [PLAN FOR] statement</c> (a query, an INSERT or a statement set).</summary>
internal sealed record SqlExplain(SqlStatement Statement, SqlPosition Position) : SqlStatement(Position);

/// <summary><c>SET 'key' = 'value'</c>, or <c>SET</c> alone (both null) to list the settings.</summary>
internal sealed record SqlSet(string? Key, string? Value, SqlPosition Position) : SqlStatement(Position);

/// <summary><c>RESET 'key'</c>, or <c>RESET</c> alone (null) to reset every setting.</summary>
internal sealed record SqlReset(string? Key, SqlPosition Position) : SqlStatement(Position);

/// <summary><c>INSERT INTO table [(columns)] query</c>.</summary>
/// <param name="Columns">The target columns; empty means all, in order.</param>
internal sealed record SqlInsert(SqlIdentifier Table, SqlList<string> Columns, SqlQuery Query, SqlPosition Position) : SqlStatement(Position);

/// <summary>
/// <c>EXECUTE STATEMENT SET BEGIN insert; …; END</c> or <c>BEGIN STATEMENT SET; insert; …; END</c>: several INSERTs
/// planned as one job.
/// </summary>
internal sealed record SqlStatementSet(SqlList<SqlInsert> Inserts, SqlPosition Position) : SqlStatement(Position);
