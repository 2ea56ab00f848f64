export default function Home() {
  return <p>Kling callbacks go to /webhooks/kling</p>;
}
