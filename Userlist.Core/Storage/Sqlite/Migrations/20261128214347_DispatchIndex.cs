using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DispatchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Messages_InFlight",
                table: "Messages",
                columns: new[] { "UserId", "Id" },
                filter: "Status IN (1, 2)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_InFlight",
                table: "Messages");
        }
    }
}
