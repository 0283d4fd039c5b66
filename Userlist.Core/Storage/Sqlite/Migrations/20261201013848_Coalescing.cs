using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Coalescing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "RetriedManually",
                table: "Messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "RequestId",
                table: "DeliveryAttempts",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryAttempts_RequestId",
                table: "DeliveryAttempts",
                column: "RequestId",
                filter: "\"RequestId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeliveryAttempts_RequestId",
                table: "DeliveryAttempts");

            migrationBuilder.DropColumn(
                name: "RetriedManually",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "RequestId",
                table: "DeliveryAttempts");
        }
    }
}
