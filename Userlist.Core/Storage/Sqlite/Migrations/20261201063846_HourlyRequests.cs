using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class HourlyRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Merged",
                table: "HourlyActivity",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Requests",
                table: "HourlyActivity",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Unchanged",
                table: "HourlyActivity",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Merged",
                table: "HourlyActivity");

            migrationBuilder.DropColumn(
                name: "Requests",
                table: "HourlyActivity");

            migrationBuilder.DropColumn(
                name: "Unchanged",
                table: "HourlyActivity");
        }
    }
}
