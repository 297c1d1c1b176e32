import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * The HDFS peer of lakegate's tests: a real NameNode and one DataNode
 * (Hadoop's MiniDFSCluster) on 127.0.0.1, WebHDFS on, replication 1,
 * permission checks off (simple authentication: the user is whatever the
 * client says, HADOOP_USER_NAME for lakegate).
 *
 * Usage: MiniHdfs BASE_DIR NAMENODE_PORT HTTP_PORT CONTROL_PORT FORMAT
 *
 * The data lives under BASE_DIR; with FORMAT false a restart keeps it, on
 * the same ports. The control port (127.0.0.1) takes one command a line,
 * so fault tests can stop the DataNode alone: stop-datanode,
 * start-datanode, ping. It answers "ok" or "error: ...".
 */
public class MiniHdfs {
  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[0]);
    int nnPort = Integer.parseInt(args[1]), httpPort = Integer.parseInt(args[2]), control = Integer.parseInt(args[3]);
    boolean format = Boolean.parseBoolean(args[4]);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.setInt("dfs.replication", 1);
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    // A dead DataNode is noticed in seconds, not ten minutes.
    conf.setInt("dfs.namenode.heartbeat.recheck-interval", 3000);
    conf.setInt("dfs.heartbeat.interval", 1);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .nameNodePort(nnPort).nameNodeHttpPort(httpPort)
        .numDataNodes(1).format(format).manageNameDfsDirs(true).manageDataDfsDirs(true)
        .build();
    cluster.waitActive();
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::shutdown));
    Files.writeString(base.resolve("ready"), "hdfs://127.0.0.1:" + nnPort + "\n");
    System.out.println("MiniHdfs ready: hdfs://127.0.0.1:" + nnPort + " webhdfs http://127.0.0.1:" + httpPort);
    serve(cluster, control);
  }

  /** serve answers control commands, one connection at a time. */
  private static void serve(MiniDFSCluster cluster, int port) throws Exception {
    MiniDFSCluster.DataNodeProperties stopped = null;
    try (ServerSocket ss = new ServerSocket(port, 8, InetAddress.getLoopbackAddress())) {
      while (true) {
        try (Socket s = ss.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream()));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true)) {
          String cmd = in.readLine();
          try {
            if ("stop-datanode".equals(cmd) && stopped == null) {
              stopped = cluster.stopDataNode(0);
            } else if ("start-datanode".equals(cmd) && stopped != null) {
              cluster.restartDataNode(stopped, true);
              cluster.waitActive();
              stopped = null;
            } else if (!"ping".equals(cmd) && !"stop-datanode".equals(cmd) && !"start-datanode".equals(cmd)) {
              throw new IllegalArgumentException("unknown command " + cmd);
            }
            out.println("ok");
          } catch (Exception e) {
            out.println("error: " + e);
          }
        }
      }
    }
  }
}
