using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Postgres.Migrations
{
    /// <summary>
    /// Counts over the whole log (the overview's counts by status, the unfiltered log's total) read
    /// one index from end to end. Split over parallel workers they took three times as long on a
    /// small machine (1,000,000 calls on 2 cores: 180 ms instead of 60) and took the cores ingest and
    /// delivery need, so scans of Messages stay in one process.
    /// </summary>
    public partial class SerialScansOfMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Messages" SET (parallel_workers = 0)""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Messages" RESET (parallel_workers)""");
        }
    }
}
