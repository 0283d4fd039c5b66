using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Userlist.Core.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CompanyOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Messages_CompanyInFlight",
                table: "Messages",
                columns: new[] { "GroupId", "Id" },
                filter: "\"Type\" = 'group' AND \"Status\" IN (1, 2)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_CompanyInFlight",
                table: "Messages");
        }
    }
}
