using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Dashboard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditLog",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Operator = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", nullable: false),
                    MessageRowId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditLog", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "HourlyActivity",
                columns: table => new
                {
                    Hour = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Received = table.Column<int>(type: "INTEGER", nullable: false),
                    Delivered = table.Column<int>(type: "INTEGER", nullable: false),
                    Rejected = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HourlyActivity", x => x.Hour);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryAttempts_Errors",
                table: "DeliveryAttempts",
                column: "Id",
                filter: "Outcome <> 'Delivered'");

            migrationBuilder.CreateIndex(
                name: "IX_AuditLog_MessageRowId_Id",
                table: "AuditLog",
                columns: new[] { "MessageRowId", "Id" },
                filter: "MessageRowId IS NOT NULL");

            // Free-text search over payloads: a contentless FTS5 index (the text stays in Messages)
            // that SearchIndexer fills behind ingest, so the insert path doesn't tokenise. '@', '.',
            // '-' and '_' are part of words, so an email or an id is one rare token, found at once,
            // instead of a phrase of common ones ("user", "example", "com").
            migrationBuilder.Sql("CREATE VIRTUAL TABLE MessageSearch USING fts5(Payload, content='', contentless_delete=1, tokenize=\"unicode61 tokenchars '@.-_'\");");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE MessageSearch;");

            migrationBuilder.DropTable(
                name: "AuditLog");

            migrationBuilder.DropTable(
                name: "HourlyActivity");

            migrationBuilder.DropIndex(
                name: "IX_DeliveryAttempts_Errors",
                table: "DeliveryAttempts");
        }
    }
}
