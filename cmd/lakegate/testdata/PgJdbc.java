import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * What DBeaver and Metabase do through the PostgreSQL JDBC driver, against
 * lakegate's PostgreSQL protocol: the metadata calls that list schemas,
 * tables and columns, a prepared query, and a fetch-size cursor (portal
 * suspension) that pages a result. One line per check for
 * pgwire_clients_test.go.
 *
 *     java -cp postgresql.jar PgJdbc.java PORT USER TOKEN ROWS
 */
public class PgJdbc {
    public static void main(String[] a) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + a[0] + "/lakegate?sslmode=disable";
        try (Connection c = DriverManager.getConnection(url, a[1], a[2])) {
            DatabaseMetaData md = c.getMetaData();
            System.out.println("product " + md.getDatabaseProductName() + " " + md.getDatabaseMajorVersion());
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) {
                    System.out.println("schema " + rs.getString("TABLE_SCHEM"));
                }
            }
            try (ResultSet rs = md.getTables(null, "assessments", "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    System.out.println("table " + rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
                }
            }
            try (ResultSet rs = md.getColumns(null, "assessments", "attempts", "%")) {
                while (rs.next()) {
                    System.out.println("column " + rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(DISTINCT user_exam_id) FROM assessments.attempts WHERE exam_name = ?")) {
                ps.setString(1, "Learning Git");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    System.out.println("takers " + rs.getLong(1));
                }
            }
            c.setAutoCommit(false); // the driver pages with a fetch size only in a transaction
            try (Statement st = c.createStatement()) {
                st.setFetchSize(1000);
                long n = 0, total = 0;
                try (ResultSet rs = st.executeQuery("SELECT i FROM range(" + Long.parseLong(a[3]) + ") t(i)")) {
                    while (rs.next()) {
                        n++;
                        total += rs.getLong(1);
                    }
                }
                System.out.println("fetched " + n + " " + total);
            }
            c.commit();
        }
    }
}
