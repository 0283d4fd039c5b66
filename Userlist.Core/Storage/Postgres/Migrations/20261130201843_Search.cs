using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Free-text search over payloads: one tsvector per call under a GIN index, filled by
            // PostgresSearchIndexer behind ingest (so the insert path doesn't tokenise), and gone
            // with its call.
            migrationBuilder.Sql("""
                CREATE TABLE "MessageSearch" (
                    "Id" bigint PRIMARY KEY REFERENCES "Messages" ("Id") ON DELETE CASCADE,
                    "Document" tsvector NOT NULL);
                CREATE INDEX "IX_MessageSearch_Document" ON "MessageSearch" USING GIN ("Document");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE "MessageSearch";""");
        }
    }
}
